import type { Command } from 'commander';
import { QdbtError } from '../errors.js';
import { createReporter, type Reporter } from '../reporters/reporter.js';

/** Flags every command accepts, named as dbt names them. */
export interface GlobalOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  vars?: string;
  select?: string[];
  exclude?: string[];
  selector?: string;
  state?: string;
  targetPath?: string;
  threads?: number;
  logFormat: 'text' | 'json';
  color: boolean;
  quiet: boolean;
  debug: boolean;
  /** Templates' `log()` goes to the reporter: info=True at info level, otherwise debug (dbt's rule). */
  templateLog?: (message: string, info: boolean) => void;
}

export interface CommandContext {
  options: GlobalOptions;
  reporter: Reporter;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--project-dir <dir>', 'project folder (holds project.yml)', process.cwd())
    .option('--profiles-dir <dir>', 'folder holding profiles.yml (default: the project folder, then ~/.qdbt)')
    .option('-t, --target <name>', "profile target to use (default: the profile's `target`)")
    .option('--vars <yaml>', 'variables as YAML or JSON, e.g. \'{"run_date": "2024-01-01"}\'')
    .option('-s, --select <selector...>', 'nodes to include (dbt selection syntax)')
    .option('--exclude <selector...>', 'nodes to exclude')
    .option('--selector <name>', 'a named selector from selectors.yml')
    .option('--state <dir>', 'folder holding the manifest of an earlier run, for state:modified')
    .option(
      '--target-path <dir>',
      "where artifacts go, relative to the project (default: project.yml's target-path)",
    )
    .option('--threads <n>', 'how many nodes run at once', (v) => parsePositiveInt(v, '--threads'))
    .option('--log-format <format>', 'text or json', (v) => parseLogFormat(v), 'text')
    .option('--no-color', 'print without colour')
    .option('-q, --quiet', 'print only errors and results', false)
    .option('--debug', 'print debug output', false);
}

function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new QdbtError('usage', `${flag} takes a whole number of 1 or more, not '${value}'`);
  return n;
}

function parseLogFormat(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json')
    throw new QdbtError('usage', `--log-format takes text or json, not '${value}'`);
  return value;
}

export function contextFrom(command: Command): CommandContext {
  const options = command.optsWithGlobals() as GlobalOptions;
  const color = options.color && !process.env.NO_COLOR && process.stderr.isTTY === true;
  const reporter = createReporter({
    format: options.logFormat,
    color,
    quiet: options.quiet,
    debug: options.debug,
  });
  options.templateLog = (message, info) =>
    reporter.emit({ name: 'template_log', level: info ? 'info' : 'debug', message });
  return { options, reporter };
}

import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { QdbtError, QdbtErrors } from '../errors.js';
import { jsonLine } from '../reporters/reporter.js';
import { QDBT_VERSION } from '../version.js';
import { addGlobalOptions } from './globalOptions.js';

/** Exit codes, as dbt uses them: 0 success, 1 a node failed, 2 a usage or project error. */
export const EXIT_OK = 0;
export const EXIT_NODE_FAILED = 1;
export const EXIT_USAGE = 2;

type Register = (program: Command) => void;

/**
 * Every command, in the order `qdbt --help` lists them, with the module that defines it. Only the
 * module of the command being run is loaded: a `qdbt compile` never pays for Hive, Kafka or the
 * local stack's code. Help (or an unknown command) loads them all.
 */
const COMMANDS: Array<[names: string[], load: () => Promise<Register>]> = [
  [['init'], async () => (await import('./commands/init.js')).registerInitCommand],
  [['parse'], async () => (await import('./commands/parse.js')).registerParseCommand],
  [['compile'], async () => (await import('./commands/compile.js')).registerCompileCommand],
  [['ls', 'list'], async () => (await import('./commands/ls.js')).registerLsCommand],
  [['run'], async () => (await import('./commands/run.js')).registerRunCommand],
  [['seed'], async () => (await import('./commands/seed.js')).registerSeedCommand],
  [['test'], async () => (await import('./commands/test.js')).registerTestCommand],
  [['build'], async () => (await import('./commands/build.js')).registerBuildCommand],
  [['show'], async () => (await import('./commands/show.js')).registerShowCommand],
  [['run-operation'], async () => (await import('./commands/runOperation.js')).registerRunOperationCommand],
  [['retry'], async () => (await import('./commands/retry.js')).registerRetryCommand],
  [['clean'], async () => (await import('./commands/clean.js')).registerCleanCommand],
  [['source'], async () => (await import('./commands/sourceFreshness.js')).registerSourceCommand],
  [['ingest'], async () => (await import('./commands/ingest.js')).registerIngestCommands],
  [['compact'], async () => (await import('./commands/compact.js')).registerCompactCommand],
  [['docs'], async () => (await import('./commands/docs.js')).registerDocsCommands],
  [['debug'], async () => (await import('./commands/debug.js')).registerDebugCommand],
  [['local'], async () => (await import('./commands/local.js')).registerLocalCommands],
];

/**
 * Commands whose CPU work is parsing and compiling the project (the rest is waiting on Hive). Each
 * function runs a few thousand times in a second or two: TurboFan's inlining then costs more CPU (on
 * V8's background threads) than the inlined code saves. Measured with `qdbt compile` of 10,000
 * models on 2 cores: 0.29 s less CPU of 3.0 s and 0.15 s less wall time. Commands that stream data
 * for long (ingest, compact) keep V8's defaults.
 */
const SHORT_LIVED = new Set([
  'parse',
  'compile',
  'ls',
  'list',
  'run',
  'seed',
  'test',
  'build',
  'show',
  'run-operation',
  'retry',
  'source',
  'docs',
]);

/** Global options that take a value, so that their value is not mistaken for the command name. */
const OPTIONS_WITH_VALUES = new Set([
  '--project-dir',
  '--profiles-dir',
  '-t',
  '--target',
  '--vars',
  '--selector',
  '--state',
  '--target-path',
  '--threads',
  '--log-format',
]);

function commandNameIn(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) return arg;
    if (OPTIONS_WITH_VALUES.has(arg)) i++;
    else if (arg === '-s' || arg === '--select' || arg === '--exclude') {
      while (i + 1 < args.length && !args[i + 1]!.startsWith('-')) i++;
    }
  }
  return null;
}

/**
 * The `--log-format` the command line asks for (`--log-format json` or `--log-format=json`; the last
 * one wins, as with commander), read before commander has parsed it: for errors found before then.
 */
function logFormatIn(args: string[]): 'text' | 'json' {
  let format: string | undefined = 'text';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === '--log-format') format = args[++i];
    else if (arg.startsWith('--log-format=')) format = arg.slice('--log-format='.length);
    else if (OPTIONS_WITH_VALUES.has(arg)) i++;
  }
  return format === 'json' ? 'json' : 'text';
}

export async function buildProgram(argv: string[]): Promise<Command> {
  const json = logFormatIn(argv.slice(2)) === 'json';
  const program = new Command('qdbt')
    .description('SQL-first transformations for Apache Hive')
    .version(QDBT_VERSION, '-v, --version')
    // With JSON lines, commander's own error text (and the help it shows on an error) would not
    // parse: reportFatal writes the error as a JSON line instead. Subcommands inherit both settings.
    .showHelpAfterError(!json)
    .exitOverride();
  if (json) program.configureOutput({ writeErr: () => {}, outputError: () => {} });
  addGlobalOptions(program);
  const name = commandNameIn(argv.slice(2));
  if (name !== null && SHORT_LIVED.has(name)) setFlagsFromString('--no-turbo-inlining');
  const wanted = COMMANDS.filter(([names]) => name !== null && names.includes(name));
  for (const [, load] of wanted.length ? wanted : COMMANDS) (await load())(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let program: Command | undefined;
  try {
    program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    return reportFatal(error, logFormatOf(program, argv));
  }
}

/** The parsed `--log-format` once commander has read it; before that (a usage error), argv's. */
function logFormatOf(program: Command | undefined, argv: string[]): 'text' | 'json' {
  if (program?.getOptionValueSource('logFormat') === 'cli')
    return (program.opts() as { logFormat: 'text' | 'json' }).logFormat;
  return logFormatIn(argv.slice(2));
}

/** A fatal error as the JSON line `--log-format json` prints: its location and hint as fields. */
function fatalJsonLine(error: QdbtError): string {
  const { location, hint } = error;
  const data: Record<string, unknown> = { kind: error.kind };
  if (location) {
    data.file = location.file;
    if (location.line !== undefined) data.line = location.line;
    if (location.column !== undefined) data.column = location.column;
  }
  if (hint !== undefined) data.hint = hint;
  return jsonLine({ name: 'fatal_error', level: 'error', message: error.message, data });
}

function reportFatal(error: unknown, format: 'text' | 'json'): number {
  const json = format === 'json';
  if (error instanceof CommanderError) {
    // Help and --version exit through here with code 0.
    if (error.exitCode === 0) return EXIT_OK;
    // commander printed its text already, except with JSON lines (see buildProgram). Without a
    // command it printed the help (`commander.help`), whose message is no message.
    if (json) {
      const message =
        error.code === 'commander.help'
          ? 'no command given; `qdbt --help` lists the commands'
          : error.message.replace(/^error: /, '');
      process.stderr.write(
        jsonLine({ name: 'fatal_error', level: 'error', message, data: { kind: 'usage', code: error.code } }),
      );
    }
    return EXIT_USAGE;
  }
  if (error instanceof QdbtErrors) {
    for (const e of error.errors) process.stderr.write(json ? fatalJsonLine(e) : `Error: ${e.format()}\n`);
    return error.errors.some((e) => e.exitCode === EXIT_USAGE) ? EXIT_USAGE : EXIT_NODE_FAILED;
  }
  if (error instanceof QdbtError) {
    process.stderr.write(json ? fatalJsonLine(error) : `Error: ${error.format()}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(
    json
      ? jsonLine({
          name: 'internal_error',
          level: 'error',
          message: error instanceof Error ? error.message : String(error),
          data: { stack },
        })
      : `Internal error: ${stack}\n`,
  );
  return EXIT_NODE_FAILED;
}

main(process.argv).then((code) => {
  process.exitCode = code;
});

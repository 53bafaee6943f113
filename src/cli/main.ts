import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { QdbtError, QdbtErrors } from '../errors.js';
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

export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('qdbt')
    .description('SQL-first transformations for Apache Hive')
    .version(QDBT_VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride();
  addGlobalOptions(program);
  const name = commandNameIn(argv.slice(2));
  if (name !== null && SHORT_LIVED.has(name)) setFlagsFromString('--no-turbo-inlining');
  const wanted = COMMANDS.filter(([names]) => name !== null && names.includes(name));
  for (const [, load] of wanted.length ? wanted : COMMANDS) (await load())(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    return reportFatal(error);
  }
}

function reportFatal(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and --version exit through here with code 0.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof QdbtErrors) {
    for (const e of error.errors) process.stderr.write(`Error: ${e.format()}\n`);
    return error.errors.some((e) => e.exitCode === EXIT_USAGE) ? EXIT_USAGE : EXIT_NODE_FAILED;
  }
  if (error instanceof QdbtError) {
    process.stderr.write(`Error: ${error.format()}\n`);
    return error.exitCode;
  }
  process.stderr.write(
    `Internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT_NODE_FAILED;
}

main(process.argv).then((code) => {
  process.exitCode = code;
});

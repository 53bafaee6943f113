import { Command, CommanderError } from 'commander';
import { QdbtError, QdbtErrors } from '../errors.js';
import { QDBT_VERSION } from '../version.js';
import { addGlobalOptions } from './globalOptions.js';
import { registerProjectCommands } from './commands/project.js';
import { registerLocalCommands } from './commands/local.js';
import { registerDebugCommand } from './commands/debug.js';
import { registerRunCommands } from './commands/runCommands.js';
import { registerIngestCommands } from './commands/ingest.js';
import { registerCompactCommand } from './commands/compact.js';

/** Exit codes, as dbt uses them: 0 success, 1 a node failed, 2 a usage or project error. */
export const EXIT_OK = 0;
export const EXIT_NODE_FAILED = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('qdbt')
    .description('SQL-first transformations for Apache Hive')
    .version(QDBT_VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride();
  addGlobalOptions(program);
  registerProjectCommands(program);
  registerRunCommands(program);
  registerIngestCommands(program);
  registerCompactCommand(program);
  registerDebugCommand(program);
  registerLocalCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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

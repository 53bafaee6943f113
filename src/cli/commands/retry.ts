import type { Command } from 'commander';
import { retryLastRun } from '../../runner/retry.js';
import { contextFrom } from '../globalOptions.js';

export function registerRetryCommand(program: Command): void {
  program
    .command('retry')
    .description(
      'run again what errored, failed or was skipped in the last run (from target/run_results.json)',
    )
    .action(async (_flags: unknown, command: Command) => {
      const { options, reporter } = contextFrom(command);
      process.exitCode = (await retryLastRun(options, { reporter })).exitCode;
    });
}

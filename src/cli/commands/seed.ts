import type { Command } from 'commander';
import { runNodes } from '../../runner/runNodes.js';
import { contextFrom } from '../globalOptions.js';
import type { RunFlags } from './run.js';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('load the CSV files of seeds/ into tables')
    .option('--full-refresh', 'drop and recreate the seed tables', false)
    .option('-x, --fail-fast', 'stop at the first failure', false)
    .action(async (flags: RunFlags, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const outcome = await runNodes(
        {
          which: 'seed',
          global: options,
          fullRefresh: flags.fullRefresh === true,
          failFast: flags.failFast === true,
        },
        { reporter },
      );
      process.exitCode = outcome.exitCode;
    });
}

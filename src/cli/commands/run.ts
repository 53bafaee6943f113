import type { Command } from 'commander';
import { runNodes } from '../../runner/runNodes.js';
import { contextFrom } from '../globalOptions.js';

export interface RunFlags {
  fullRefresh?: boolean;
  failFast?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('build the selected models in dependency order')
    .option('--full-refresh', 'rebuild incremental models from scratch', false)
    .option('-x, --fail-fast', 'stop at the first failure', false)
    .action(async (flags: RunFlags, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const outcome = await runNodes(
        {
          which: 'run',
          global: options,
          fullRefresh: flags.fullRefresh === true,
          failFast: flags.failFast === true,
        },
        { reporter },
      );
      process.exitCode = outcome.exitCode;
    });
}

import type { Command } from 'commander';
import { runNodes } from '../../runner/runNodes.js';
import { contextFrom } from '../globalOptions.js';
import type { RunFlags } from './run.js';

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description('seeds, models and tests in graph order; a failed test skips what is built on its model')
    .option('--full-refresh', 'rebuild incremental models and seeds from scratch', false)
    .option('-x, --fail-fast', 'stop at the first failure', false)
    .action(async (flags: RunFlags, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const outcome = await runNodes(
        {
          which: 'build',
          global: options,
          fullRefresh: flags.fullRefresh === true,
          failFast: flags.failFast === true,
        },
        { reporter },
      );
      process.exitCode = outcome.exitCode;
    });
}

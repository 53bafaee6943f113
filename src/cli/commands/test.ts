import type { Command } from 'commander';
import { runNodes } from '../../runner/runNodes.js';
import { contextFrom } from '../globalOptions.js';
import type { RunFlags } from './run.js';

export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description('run the data tests of the selected nodes')
    .option('-x, --fail-fast', 'stop at the first failure', false)
    .action(async (flags: RunFlags, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const outcome = await runNodes(
        { which: 'test', global: options, fullRefresh: false, failFast: flags.failFast === true },
        { reporter },
      );
      process.exitCode = outcome.exitCode;
    });
}

import type { Command } from 'commander';
import { runOperation } from '../../runner/runOperation.js';
import { contextFrom } from '../globalOptions.js';

export function registerRunOperationCommand(program: Command): void {
  program
    .command('run-operation')
    .description('call a macro and run the SQL it renders')
    .argument('<macro>', 'the macro name')
    .option('--args <yaml>', "keyword arguments as YAML, e.g. '{days: 7}'")
    .action(async (macro: string, flags: { args?: string }, command: Command) => {
      const { options, reporter } = contextFrom(command);
      process.exitCode = await runOperation({ global: options, macro, args: flags.args }, { reporter });
    });
}

import type { Command } from 'commander';
import { sourceFreshness } from '../../runner/freshness.js';
import { contextFrom } from '../globalOptions.js';

export function registerSourceCommand(program: Command): void {
  const source = program.command('source').description('commands about sources');
  source
    .command('freshness')
    .description("check each source's max(loaded_at_field) against its warn_after / error_after")
    .option('-o, --output <path>', 'where to write the results (default target/sources.json)')
    .action(async (flags: { output?: string }, command: Command) => {
      const { options, reporter } = contextFrom(command);
      process.exitCode = (
        await sourceFreshness({ global: options, output: flags.output }, { reporter })
      ).exitCode;
    });
}

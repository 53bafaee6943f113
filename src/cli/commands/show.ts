import { type Command, InvalidArgumentError } from 'commander';
import { QdbtError } from '../../errors.js';
import { showPreview } from '../../runner/show.js';
import { contextFrom } from '../globalOptions.js';

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description('compile a model (--select) or SQL (--inline) and preview its first rows')
    .option('--limit <n>', 'how many rows', (v) => positive(v), 5)
    .option('--inline <sql>', 'SQL to run instead of a model; ref() and source() work')
    .option('--output <format>', 'text or json', 'text')
    .action(async (flags: { limit: number; inline?: string; output: string }, command: Command) => {
      const { options, reporter } = contextFrom(command);
      if (flags.output !== 'text' && flags.output !== 'json')
        throw new QdbtError('usage', `--output takes text or json, not '${flags.output}'`);
      const output = flags.output;
      process.exitCode = await showPreview(
        { global: options, limit: flags.limit, inline: flags.inline, output },
        { reporter },
      );
    });
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`--limit takes a whole number of 1 or more, not '${value}'`);
  return n;
}

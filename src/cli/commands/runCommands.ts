import type { Command } from 'commander';

/** run, seed, test, build, show, run-operation, retry, clean, source freshness — owned by the runner work. */
export function registerRunCommands(_program: Command): void {}

import type { Command } from 'commander';

/** init, parse, compile, ls. */
export function registerProjectCommands(_program: Command): void {}

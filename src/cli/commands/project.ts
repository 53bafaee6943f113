import type { Command } from 'commander';
import { registerCompileCommand } from './compile.js';
import { registerInitCommand } from './init.js';
import { registerLsCommand } from './ls.js';
import { registerParseCommand } from './parse.js';

/** init, parse, compile, ls: the commands that need no database. */
export function registerProjectCommands(program: Command): void {
  registerInitCommand(program);
  registerParseCommand(program);
  registerCompileCommand(program);
  registerLsCommand(program);
}

import type { Command } from 'commander';
import { registerBuildCommand } from './build.js';
import { registerCleanCommand } from './clean.js';
import { registerRetryCommand } from './retry.js';
import { registerRunCommand } from './run.js';
import { registerRunOperationCommand } from './runOperation.js';
import { registerSeedCommand } from './seed.js';
import { registerShowCommand } from './show.js';
import { registerSourceCommand } from './sourceFreshness.js';
import { registerTestCommand } from './test.js';

/** run, seed, test, build, show, run-operation, retry, clean, source freshness. */
export function registerRunCommands(program: Command): void {
  registerRunCommand(program);
  registerSeedCommand(program);
  registerTestCommand(program);
  registerBuildCommand(program);
  registerShowCommand(program);
  registerRunOperationCommand(program);
  registerRetryCommand(program);
  registerCleanCommand(program);
  registerSourceCommand(program);
}

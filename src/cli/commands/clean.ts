import type { Command } from 'commander';
import { cleanProject } from '../../runner/clean.js';
import { contextFrom } from '../globalOptions.js';

export function registerCleanCommand(program: Command): void {
  program
    .command('clean')
    .description("delete the folders listed in project.yml's clean-targets (default: target/)")
    .action((_flags: unknown, command: Command) => {
      const { options, reporter } = contextFrom(command);
      cleanProject(options.projectDir, reporter);
    });
}

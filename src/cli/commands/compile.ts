import type { Command } from 'commander';
import { writeCompiledFiles, writeManifest } from '../../artifacts/writeArtifacts.js';
import { loadProject } from '../../project/loadProject.js';
import { compileSelected, selectFor } from '../../project/selectAndCompile.js';
import { contextFrom } from '../globalOptions.js';

export function registerCompileCommand(program: Command): void {
  program
    .command('compile')
    .description('render models, tests and analyses to SQL under target/compiled/ and write target/manifest.json')
    .action((_opts, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const started = performance.now();
      const project = loadProject(options);
      for (const warning of project.parsed.warnings) reporter.emit({ name: 'parse_warning', level: 'warn', message: warning });
      const { selected, warnings } = selectFor(project, options, ['model', 'test', 'seed']);
      for (const warning of warnings) reporter.emit({ name: 'selection_warning', level: 'warn', message: warning });
      const compiled = compileSelected(project, selected);
      const written = writeCompiledFiles(project.projectDir, compiled);
      writeManifest(project.targetDir, project.parsed.manifest);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      reporter.emit({
        name: 'compile_summary',
        level: 'info',
        message: `Compiled ${compiled.length} nodes (${written} files changed) in ${seconds}s; manifest at ${project.config.targetPath}/manifest.json`,
        data: { compiled: compiled.length, written, seconds: Number(seconds) },
      });
    });
}

import type { Command } from 'commander';
import { writeManifest } from '../../artifacts/writeArtifacts.js';
import { loadProject } from '../../project/loadProject.js';
import { contextFrom } from '../globalOptions.js';

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('read the project, check it, and write target/manifest.json (no SQL is compiled)')
    .action((_opts, command: Command) => {
      const { options, reporter } = contextFrom(command);
      const started = performance.now();
      const project = loadProject(options);
      for (const warning of project.parsed.warnings)
        reporter.emit({ name: 'parse_warning', level: 'warn', message: warning });
      writeManifest(project.targetDir, project.parsed.manifest);
      const counts = countByType(Object.values(project.parsed.manifest.nodes).map((n) => n.resource_type));
      counts.source = Object.keys(project.parsed.manifest.sources).length;
      counts.macro = Object.keys(project.parsed.manifest.macros).length;
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      reporter.emit({
        name: 'parse_summary',
        level: 'info',
        message: `Found ${Object.entries(counts)
          .map(([k, v]) => `${v} ${k}${v === 1 ? '' : 's'}`)
          .join(', ')} in ${seconds}s`,
        data: { counts, seconds: Number(seconds) },
      });
    });
}

function countByType(types: string[]): Record<string, number> {
  const counts: Record<string, number> = { model: 0, seed: 0, test: 0 };
  for (const t of types) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}

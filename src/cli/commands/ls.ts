import type { Command } from 'commander';
import { QdbtError } from '../../errors.js';
import type { GraphNode, SourceDefinition } from '../../manifest/types.js';
import { loadProject } from '../../project/loadProject.js';
import { selectFor, type ResourceKind } from '../../project/selectAndCompile.js';
import { contextFrom } from '../globalOptions.js';

const RESOURCE_TYPES: ResourceKind[] = ['model', 'seed', 'test', 'source'];
const OUTPUTS = ['selector', 'name', 'path', 'json'] as const;

export function registerLsCommand(program: Command): void {
  program
    .command('ls')
    .alias('list')
    .description('list the nodes a selection picks')
    .option('--output <format>', `one of ${OUTPUTS.join(', ')}`, 'selector')
    .option('--resource-type <type...>', `limit to ${RESOURCE_TYPES.join(', ')}`)
    .action((opts: { output: string; resourceType?: string[] }, command: Command) => {
      const { options, reporter } = contextFrom(command);
      if (!(OUTPUTS as readonly string[]).includes(opts.output)) {
        throw new QdbtError('usage', `--output takes ${OUTPUTS.join(', ')}, not '${opts.output}'`);
      }
      const types = (opts.resourceType ?? RESOURCE_TYPES) as ResourceKind[];
      for (const type of types) {
        if (!RESOURCE_TYPES.includes(type))
          throw new QdbtError('usage', `--resource-type takes ${RESOURCE_TYPES.join(', ')}, not '${type}'`);
      }
      const project = loadProject(options);
      const { selected, warnings } = selectFor(project, options, types);
      for (const warning of warnings)
        reporter.emit({ name: 'selection_warning', level: 'warn', message: warning });
      const { nodes, sources } = project.parsed.manifest;
      const lines: string[] = [];
      for (const id of [...selected].sort()) {
        const item = nodes[id] ?? sources[id];
        if (item) lines.push(formatItem(item, opts.output));
      }
      if (lines.length) reporter.result(lines.join('\n'));
    });
}

function formatItem(item: GraphNode | SourceDefinition, output: string): string {
  switch (output) {
    case 'name':
      return item.resource_type === 'source' ? `${item.source_name}.${item.name}` : item.name;
    case 'path':
      return item.original_file_path;
    case 'json':
      return JSON.stringify({
        name: item.name,
        resource_type: item.resource_type,
        package_name: item.package_name,
        original_file_path: item.original_file_path,
        unique_id: item.unique_id,
        alias: item.resource_type === 'source' ? item.identifier : item.alias,
        config: item.config,
        tags: item.tags,
        depends_on: item.resource_type === 'source' ? { nodes: [], macros: [] } : item.depends_on,
      });
    default:
      return item.resource_type === 'source'
        ? `source:${item.fqn.slice(0, 1).concat(item.source_name, item.name).join('.')}`
        : item.fqn.join('.');
  }
}

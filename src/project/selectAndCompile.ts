import { compileNodes } from '../compiler/compile.js';
import { selectNodes, type SelectionOptions } from '../graph/select.js';
import type { GraphNode, Manifest } from '../manifest/types.js';
import { compiledPathOf } from '../artifacts/writeArtifacts.js';
import { readStateManifest, type LoadedProject } from './loadProject.js';
import type { GlobalOptions } from '../cli/globalOptions.js';
import type { SelectorDefinition } from '../graph/selectors.js';

export type ResourceKind = NonNullable<SelectionOptions['resourceTypes']>[number];

/** The nodes a command works on, from --select / --exclude / --selector / --state. */
export function selectFor(
  project: LoadedProject,
  options: Pick<GlobalOptions, 'select' | 'exclude' | 'selector' | 'state'>,
  resourceTypes: ResourceKind[],
): { selected: Set<string>; warnings: string[] } {
  const manifest = project.parsed.manifest;
  return selectNodes(manifest, project.graph, {
    select: options.select,
    exclude: options.exclude,
    selector: options.selector,
    selectors: manifest.selectors as Record<string, SelectorDefinition>,
    stateManifest: options.state ? readStateManifest(options.state) : null,
    resourceTypes,
  });
}

/** Compile the given nodes in place and set where their SQL goes under target/compiled/. */
export function compileSelected(
  project: LoadedProject,
  uniqueIds: Iterable<string>,
  isIncremental?: (node: GraphNode) => boolean,
): GraphNode[] {
  const manifest: Manifest = project.parsed.manifest;
  const ids = [...uniqueIds];
  compileNodes(ids, {
    manifest,
    engine: project.parsed.engine,
    staticCalls: project.parsed.parseInfo,
    isIncremental,
  });
  const compiled: GraphNode[] = [];
  for (const id of ids) {
    const node = manifest.nodes[id];
    if (!node || node.resource_type === 'seed') continue;
    node.compiled_path = compiledPathOf(project.config.name, project.config.targetPath, node);
    compiled.push(node);
  }
  return compiled;
}

import type { GraphNode, Manifest } from '../manifest/types.js';
import type { NodeLabel } from '../reporters/runLines.js';

/** How the output names a node. */
export function labelFor(node: GraphNode): NodeLabel {
  const relation = node.resource_type === 'test' ? null : `${node.schema}.${node.alias}`;
  return {
    uniqueId: node.unique_id,
    kind: node.resource_type,
    name: node.name,
    relation,
    materialized: node.resource_type === 'model' ? String(node.config.materialized ?? 'view') : undefined,
    file: node.original_file_path,
    compiledPath: node.compiled_path ?? null,
  };
}

/** `Found 12 models, 3 data tests, 1 seed, 4 sources, 20 macros` */
export function foundLine(manifest: Manifest): string {
  const counts = new Map<string, number>();
  for (const node of Object.values(manifest.nodes)) {
    const key = node.resource_type === 'test' ? 'data test' : node.resource_type;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`);
  const sources = Object.keys(manifest.sources).length;
  const macros = Object.keys(manifest.macros).length;
  parts.push(`${sources} source${sources === 1 ? '' : 's'}`, `${macros} macro${macros === 1 ? '' : 's'}`);
  return `Found ${parts.join(', ')}`;
}

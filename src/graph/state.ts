/**
 * `state:` comparisons against the manifest of an earlier run, as dbt's StateSelectorMethod:
 * what counts as a change for models, seeds, tests and sources.
 */
import type { CompilableNode, GraphNode, Manifest, SourceDefinition } from '../manifest/types.js';
import type { STATE_CHECKS } from './spec.js';

export type StateCheck = (typeof STATE_CHECKS)[number];
type Target = GraphNode | SourceDefinition;

/** A checker `(unique_id, check) => boolean` over one pair of manifests; macro changes computed once. */
export function stateComparator(
  current: Manifest,
  previous: Manifest,
): (id: string, check: StateCheck) => boolean {
  let taintedMacros: Set<string> | null = null;
  const macrosChanged = (node: Target): boolean => {
    if (node.resource_type === 'source') return false;
    taintedMacros ??= changedMacros(current, previous);
    return (node.depends_on?.macros ?? []).some((m) => taintedMacros!.has(m));
  };
  const modified = (node: Target, old: Target | undefined): boolean =>
    !sameContents(node, old) || macrosChanged(node);

  return (id, check) => {
    const node = current.nodes[id] ?? current.sources[id];
    if (!node) return false;
    const old: Target | undefined = previous.nodes?.[id] ?? previous.sources?.[id];
    switch (check) {
      case 'new':
        return old === undefined;
      case 'old':
        return old !== undefined;
      case 'modified':
        return modified(node, old);
      case 'unmodified':
        return !modified(node, old);
      case 'modified.macros':
        return macrosChanged(node);
      case 'modified.body':
        if (node.resource_type === 'source') return false;
        return old === undefined || !sameBody(node, old as CompilableNode);
      case 'modified.configs':
        return old === undefined || !sameConfig(node, old);
      case 'modified.relation':
        return old === undefined || !sameRelation(node, old);
      case 'modified.persisted_descriptions':
        if (node.resource_type === 'source') return false;
        return old === undefined || !samePersistedDescription(node, old as CompilableNode);
    }
  };
}

function sameContents(node: Target, old: Target | undefined): boolean {
  if (old === undefined || old.resource_type !== node.resource_type) return false;
  if (node.resource_type === 'source') {
    const o = old as SourceDefinition;
    return (
      sameRelation(node, o) &&
      deepEqual(node.fqn, o.fqn) &&
      sameConfig(node, o) &&
      deepEqual(node.freshness ?? null, o.freshness ?? null) &&
      (node.loaded_at_field ?? null) === (o.loaded_at_field ?? null) &&
      deepEqual(node.landing ?? null, o.landing ?? null)
    );
  }
  const o = old as GraphNode;
  return (
    sameBody(node, o) &&
    sameConfig(node, o) &&
    samePersistedDescription(node, o) &&
    deepEqual(node.fqn, o.fqn) &&
    sameRelation(node, o)
  );
}

function sameBody(node: CompilableNode, old: CompilableNode): boolean {
  return node.checksum?.checksum === old.checksum?.checksum && node.raw_code === old.raw_code;
}

/**
 * dbt compares the configs as written (`unrendered_config`), so that values derived from the
 * target do not count as changes. When neither side recorded them, the resolved configs are used.
 */
function sameConfig(node: Target, old: Target): boolean {
  const mine = unrendered(node);
  const theirs = unrendered(old);
  if (Object.keys(mine).length === 0 && Object.keys(theirs).length === 0)
    return deepEqual(node.config, old.config);
  return deepEqual(mine, theirs);
}

function sameRelation(node: Target, old: Target): boolean {
  if (node.resource_type === 'source') {
    const o = old as SourceDefinition;
    return node.database === o.database && node.schema === o.schema && node.identifier === o.identifier;
  }
  const mine = unrendered(node);
  const theirs = unrendered(old);
  const o = old as GraphNode;
  const keys = ['database', 'schema', 'alias'] as const;
  if (Object.keys(mine).length === 0 && Object.keys(theirs).length === 0) {
    return keys.every((k) => (node[k] ?? null) === (o[k] ?? null));
  }
  return keys.every((k) => deepEqual(mine[k] ?? null, theirs[k] ?? null));
}

function samePersistedDescription(node: CompilableNode, old: CompilableNode): boolean {
  const persist = node.config?.persist_docs ?? {};
  if (persist.relation && node.description !== old.description) return false;
  if (persist.columns) {
    const descriptions = (n: CompilableNode) =>
      Object.fromEntries(Object.entries(n.columns ?? {}).map(([k, c]) => [k, c.description]));
    if (!deepEqual(descriptions(node), descriptions(old))) return false;
  }
  return true;
}

function unrendered(node: Target): Record<string, unknown> {
  return node.resource_type === 'source' ? {} : (node.unrendered_config ?? {});
}

/** Macros whose SQL changed, appeared or went away, and every macro that calls one of them. */
function changedMacros(current: Manifest, previous: Manifest): Set<string> {
  const now = current.macros ?? {};
  const before = previous.macros ?? {};
  const changed = new Set<string>();
  for (const [id, macro] of Object.entries(now)) {
    if (before[id]?.macro_sql !== macro.macro_sql) changed.add(id);
  }
  for (const id of Object.keys(before)) if (!(id in now)) changed.add(id);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, macro] of Object.entries(now)) {
      if (!changed.has(id) && (macro.depends_on?.macros ?? []).some((m) => changed.has(m))) {
        changed.add(id);
        grew = true;
      }
    }
  }
  return changed;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => k in rb && deepEqual(ra[k], rb[k]));
}

/**
 * What a run executes and in which order: the selected nodes, each with the selected nodes it
 * waits for. Pure: built from the project graph, no I/O.
 */
import { MinHeap } from '../graph/heap.js';
import { adjacencyOf, topologicalOrder, type ProjectGraph } from '../graph/graph.js';
import type { GraphNode, Manifest } from '../manifest/types.js';

export interface RunPlan {
  /** Unique ids parents-first; among nodes ready together, the order here decides who starts first. */
  order: string[];
  /** For each planned node, the planned nodes it waits for (directly, or through nodes not planned). */
  parents: Map<string, string[]>;
}

export interface PlanOptions {
  /**
   * `qdbt build`: the children of a tested node also wait for its tests, so that a failed test
   * skips what is built on the failing data (as dbt build does).
   */
  testsGateChildren?: boolean;
}

/**
 * Plan the selected nodes. Ephemeral models are left out (the compiler inlines them), but their
 * place in the graph still orders what is around them; so do nodes that are not selected.
 */
export function planRun(
  manifest: Pick<Manifest, 'nodes'>,
  graph: ProjectGraph,
  selected: Iterable<string>,
  options: PlanOptions = {},
): RunPlan {
  const planned = new Set<string>();
  for (const id of selected) {
    const node = manifest.nodes[id];
    if (node && !isEphemeral(node)) planned.add(id);
  }
  const order = topologicalOrder(graph, planned);
  const { ids, index, parents: adjParents } = adjacencyOf(graph);

  // Nearest planned ancestors of every graph node, memoised; unplanned nodes are looked through.
  const nearest = new Map<number, string[]>();
  const nearestOf = (i: number): string[] => {
    const cached = nearest.get(i);
    if (cached) return cached;
    const found = new Set<string>();
    const stack = [...adjParents[i]!];
    const seen = new Set<number>(stack);
    while (stack.length > 0) {
      const p = stack.pop()!;
      const pid = ids[p]!;
      if (planned.has(pid)) {
        found.add(pid);
        continue;
      }
      const memo = nearest.get(p);
      if (memo) {
        for (const m of memo) found.add(m);
        continue;
      }
      for (const q of adjParents[p]!) {
        if (!seen.has(q)) {
          seen.add(q);
          stack.push(q);
        }
      }
    }
    const list = [...found].sort();
    nearest.set(i, list);
    return list;
  };

  const parents = new Map<string, string[]>();
  for (const id of order) {
    const i = index.get(id);
    parents.set(id, i === undefined ? [] : nearestOf(i));
  }
  if (options.testsGateChildren) addTestEdges(manifest, graph, order, parents);
  return { order: options.testsGateChildren ? reorder(order, parents) : order, parents };
}

export function isEphemeral(node: GraphNode): boolean {
  return node.resource_type === 'model' && node.config.materialized === 'ephemeral';
}

/**
 * For each planned test T on parent P (planned or not, e.g. in `qdbt retry`): every planned
 * non-test node C downstream of P (directly, or through unplanned nodes) also waits for T, unless
 * C is upstream of T (that edge would close a loop).
 */
function addTestEdges(
  manifest: Pick<Manifest, 'nodes'>,
  graph: ProjectGraph,
  order: string[],
  parents: Map<string, string[]>,
): void {
  const { ids, index, children } = adjacencyOf(graph);
  const ancestorsOf = (id: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [...parents.get(id)!];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      stack.push(...(parents.get(p) ?? []));
    }
    return seen;
  };
  /** Planned non-test nodes below graph node i, looking through unplanned non-test nodes. */
  const plannedBelow = (i: number): string[] => {
    const found: string[] = [];
    const seen = new Set<number>();
    const stack = [...children[i]!];
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      const id = ids[c]!;
      if (manifest.nodes[id]?.resource_type === 'test') continue;
      if (parents.has(id)) found.push(id);
      else stack.push(...children[c]!);
    }
    return found;
  };
  const extra = new Map<string, Set<string>>();
  for (const testId of order) {
    const test = manifest.nodes[testId];
    if (test?.resource_type !== 'test') continue;
    const upstream = ancestorsOf(testId);
    for (const parentId of test.depends_on?.nodes ?? []) {
      const p = index.get(parentId);
      if (p === undefined) continue;
      for (const child of plannedBelow(p)) {
        if (upstream.has(child)) continue;
        let set = extra.get(child);
        if (!set) extra.set(child, (set = new Set()));
        set.add(testId);
      }
    }
  }
  for (const [child, tests] of extra) {
    parents.set(child, [...new Set([...parents.get(child)!, ...tests])].sort());
  }
}

/** Keep the given order where possible, but parents-first under the added edges. */
function reorder(order: string[], parents: Map<string, string[]>): string[] {
  const position = new Map(order.map((id, i) => [id, i]));
  const pending = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of order) {
    pending.set(id, parents.get(id)!.length);
    for (const p of parents.get(id)!) {
      let list = children.get(p);
      if (!list) children.set(p, (list = []));
      list.push(id);
    }
  }
  const ready = new MinHeap((a: string, b: string) => position.get(a)! - position.get(b)!);
  for (const id of order) if (pending.get(id) === 0) ready.push(id);
  const out: string[] = [];
  while (ready.size > 0) {
    const id = ready.pop()!;
    out.push(id);
    for (const c of children.get(id) ?? []) {
      const left = pending.get(c)! - 1;
      pending.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  return out;
}

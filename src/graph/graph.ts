/**
 * The dependency graph of a project: models, seeds, sources and data tests, with an edge from
 * each parent to each child. Built once per invocation from the manifest; cycles are errors.
 */
import { MinHeap } from './heap.js';
import { Graph } from '@dagrejs/graphlib';
import { QdbtError } from '../errors.js';
import type { Manifest } from '../manifest/types.js';

export interface ProjectGraph {
  /** Nodes are unique_ids of nodes and sources; edges go parent -> child. */
  graph: Graph;
}

/** Integer adjacency lists of a graph, what the traversals run on. Cached per graph. */
export interface Adjacency {
  ids: string[];
  index: Map<string, number>;
  parents: number[][];
  children: number[][];
  nodeCount: number;
  edgeCount: number;
}

const adjacencyCache = new WeakMap<Graph, Adjacency>();

/**
 * The graph of buildGraph. Traversals run on the integer adjacency; the graphlib Graph is made
 * on first use of `.graph`, because filling graphlib's dictionaries costs about ten times more
 * than everything else here (about a second for 50,000 nodes and 100,000 edges).
 */
class BuiltProjectGraph implements ProjectGraph {
  private built: Graph | null = null;
  constructor(readonly adjacency: Adjacency) {}

  get graph(): Graph {
    if (this.built) return this.built;
    const { ids, children } = this.adjacency;
    const graph = new Graph({ directed: true, multigraph: false, compound: false });
    for (const id of ids) graph.setNode(id);
    for (let v = 0; v < ids.length; v++) for (const w of children[v]!) graph.setEdge(ids[v]!, ids[w]!);
    adjacencyCache.set(graph, this.adjacency);
    this.built = graph;
    return graph;
  }

  /** The adjacency, unless the graphlib Graph was made and then changed. */
  current(): Adjacency | null {
    const built = this.built;
    if (
      built &&
      (built.nodeCount() !== this.adjacency.nodeCount || built.edgeCount() !== this.adjacency.edgeCount)
    ) {
      return null;
    }
    return this.adjacency;
  }
}

export function buildGraph(manifest: Pick<Manifest, 'nodes' | 'sources'>): ProjectGraph {
  const ids = [...Object.keys(manifest.nodes), ...Object.keys(manifest.sources)];
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i]!, i);
  const parents: number[][] = ids.map(() => []);
  const children: number[][] = ids.map(() => []);
  let edgeCount = 0;
  for (const node of Object.values(manifest.nodes)) {
    const child = index.get(node.unique_id);
    if (child === undefined) continue;
    const seen = parents[child]!;
    for (const parentId of node.depends_on?.nodes ?? []) {
      const parent = index.get(parentId);
      if (parent === undefined || seen.includes(parent)) continue;
      seen.push(parent);
      children[parent]!.push(child);
      edgeCount++;
    }
  }
  const adjacency: Adjacency = { ids, index, parents, children, nodeCount: ids.length, edgeCount };
  const cycle = findCycle(adjacency);
  if (cycle)
    throw cycleError(
      cycle,
      (id) => manifest.nodes[id]?.original_file_path ?? manifest.sources[id]?.original_file_path,
    );
  return new BuiltProjectGraph(adjacency);
}

/** The adjacency of a graph: from buildGraph, or read from (and cached per) a graphlib Graph. */
export function adjacencyOf(g: ProjectGraph): Adjacency {
  if (g instanceof BuiltProjectGraph) {
    const current = g.current();
    if (current) return current;
  }
  const graph = g.graph;
  const cached = adjacencyCache.get(graph);
  if (cached && cached.nodeCount === graph.nodeCount() && cached.edgeCount === graph.edgeCount())
    return cached;
  const ids = graph.nodes();
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const parents: number[][] = ids.map(() => []);
  const children: number[][] = ids.map(() => []);
  for (const edge of graph.edges()) {
    const v = index.get(edge.v)!;
    const w = index.get(edge.w)!;
    children[v]!.push(w);
    parents[w]!.push(v);
  }
  const adjacency: Adjacency = {
    ids,
    index,
    parents,
    children,
    nodeCount: graph.nodeCount(),
    edgeCount: graph.edgeCount(),
  };
  adjacencyCache.set(graph, adjacency);
  return adjacency;
}

/** parent_map and child_map of the manifest: every node and source, lists sorted. */
export function parentAndChildMaps(g: ProjectGraph): {
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
} {
  const { ids, parents, children } = adjacencyOf(g);
  const order = ids.map((_, i) => i).sort((a, b) => compareIds(ids[a]!, ids[b]!));
  const parent_map: Record<string, string[]> = {};
  const child_map: Record<string, string[]> = {};
  for (const i of order) {
    parent_map[ids[i]!] = parents[i]!.map((p) => ids[p]!).sort(compareIds);
    child_map[ids[i]!] = children[i]!.map((c) => ids[c]!).sort(compareIds);
  }
  return { parent_map, child_map };
}

/**
 * Nodes parents-first. Among nodes that are ready at the same time, the smallest unique_id comes
 * first. With `subset`, only its members are returned, ordered by their dependencies through
 * the whole graph (a member waits for members upstream of it, also via nodes outside the subset).
 */
export function topologicalOrder(g: ProjectGraph, subset?: Set<string>): string[] {
  const adj = adjacencyOf(g);
  const { ids, parents, children } = adj;
  const n = ids.length;
  const inSubset = (i: number): boolean => subset === undefined || subset.has(ids[i]!);
  const pending = new Int32Array(n);
  const heap = new MinHeap<number>((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const free: number[] = [];
  const ready = (i: number): void => {
    if (inSubset(i)) heap.push(i);
    else free.push(i);
  };
  for (let i = 0; i < n; i++) {
    pending[i] = parents[i]!.length;
    if (pending[i] === 0) ready(i);
  }
  const out: string[] = [];
  let done = 0;
  const finish = (i: number): void => {
    done++;
    for (const c of children[i]!) if (--pending[c]! === 0) ready(c);
  };
  while (free.length > 0 || heap.size > 0) {
    if (free.length > 0) {
      finish(free.pop()!);
      continue;
    }
    const i = heap.pop()!;
    out.push(ids[i]!);
    finish(i);
  }
  if (done < n) throw cycleError(findCycle(adj) ?? [], () => undefined);
  return out;
}

/** Code-unit order: the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A cycle as unique_ids, starting at its smallest id, or null if the graph is acyclic. */
function findCycle(adj: Adjacency): string[] | null {
  const { ids, parents, children } = adj;
  const n = ids.length;
  const pending = new Int32Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) {
    pending[i] = parents[i]!.length;
    if (pending[i] === 0) queue.push(i);
  }
  for (let q = 0; q < queue.length; q++) {
    for (const c of children[queue[q]!]!) if (--pending[c]! === 0) queue.push(c);
  }
  if (queue.length === n) return null;
  // Every node left has a parent left, so walking up through parents must come back to itself.
  let start = -1;
  for (let i = 0; i < n; i++) if (pending[i]! > 0 && (start < 0 || ids[i]! < ids[start]!)) start = i;
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  let v = start;
  while (!seenAt.has(v)) {
    seenAt.set(v, walk.length);
    walk.push(v);
    let next = -1;
    for (const p of parents[v]!) if (pending[p]! > 0 && (next < 0 || ids[p]! < ids[next]!)) next = p;
    v = next;
  }
  // walk[k..] goes child -> parent; reverse it to read parent -> child.
  const cycle = walk.slice(seenAt.get(v)!).reverse();
  let first = 0;
  for (let k = 1; k < cycle.length; k++) if (ids[cycle[k]!]! < ids[cycle[first]!]!) first = k;
  return [...cycle.slice(first), ...cycle.slice(0, first)].map((i) => ids[i]!);
}

function cycleError(cycle: string[], fileOf: (id: string) => string | undefined): QdbtError {
  const lines = cycle.map((id) => {
    const file = fileOf(id);
    return `  ${id}${file ? ` (${file})` : ''}`;
  });
  const firstFile = cycle[0] === undefined ? undefined : fileOf(cycle[0]);
  return new QdbtError('graph', `Found a cycle: ${[...cycle, cycle[0]].join(' -> ')}\n${lines.join('\n')}`, {
    location: firstFile ? { file: firstFile } : undefined,
    hint: 'Remove one of the ref() or source() calls that close the loop.',
  });
}

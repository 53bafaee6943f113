/**
 * Lineage selection: a node's upstream and downstream within a depth, as dbt's `2+model+1`.
 * These functions run in Node (tests, `qdbt docs generate`) and, serialized with toString(), in
 * the page itself: keep each one self-contained (no imports, no module-level helpers).
 */

export interface Neighbourhood {
  /** Node indices, nearest first; `start` is the first. */
  nodes: number[];
  /** More nodes were in reach than `limit`. */
  truncated: boolean;
  /** How many were in reach. */
  reachable: number;
}

/**
 * Nodes within `up` steps upstream (through parents only) and `down` steps downstream (through
 * children only) of `start`; `Infinity` for all. `include` hides kinds (e.g. tests) from the walk.
 */
export function neighbourhood(
  parents: number[][],
  children: number[][],
  start: number,
  up: number,
  down: number,
  limit: number,
  include?: (index: number) => boolean,
): Neighbourhood {
  const distance = new Map<number, number>([[start, 0]]);
  const walk = (edges: number[][], depth: number) => {
    let frontier = [start];
    for (let step = 1; step <= depth && frontier.length > 0; step++) {
      const next: number[] = [];
      for (const node of frontier)
        for (const other of edges[node] ?? []) {
          if (include && !include(other)) continue;
          // A DAG: nothing upstream is also downstream, so the first visit is the nearest.
          if (distance.has(other)) continue;
          distance.set(other, step);
          next.push(other);
        }
      frontier = next;
    }
  };
  walk(parents, up);
  walk(children, down);
  const ordered = [...distance.keys()].sort((a, b) => distance.get(a)! - distance.get(b)! || a - b);
  return {
    nodes: ordered.slice(0, Math.max(1, limit)),
    truncated: ordered.length > limit,
    reachable: ordered.length,
  };
}

/** Edges between the chosen nodes only, as [parent, child] index pairs. */
export function edgesWithin(children: number[][], nodes: number[]): Array<[number, number]> {
  const chosen = new Set(nodes);
  const edges: Array<[number, number]> = [];
  for (const parent of nodes)
    for (const child of children[parent] ?? []) if (chosen.has(child)) edges.push([parent, child]);
  return edges;
}

/** parents[i] and children[i] from an edge list over `count` nodes. */
export function adjacency(
  count: number,
  edges: Array<[number, number]>,
): { parents: number[][]; children: number[][] } {
  const parents: number[][] = Array.from({ length: count }, () => []);
  const children: number[][] = Array.from({ length: count }, () => []);
  for (const [parent, child] of edges) {
    parents[child]!.push(parent);
    children[parent]!.push(child);
  }
  return { parents, children };
}

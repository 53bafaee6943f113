import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../src/graph/graph.js';
import type { GraphNode, Manifest } from '../../../src/manifest/types.js';
import { planRun } from '../../../src/runner/plan.js';

function node(
  id: string,
  deps: string[],
  extra: Partial<{ materialized: string; attached: string }> = {},
): GraphNode {
  const [type] = id.split('.');
  return {
    unique_id: id,
    resource_type: type,
    name: id.split('.')[2],
    config: { materialized: extra.materialized ?? 'view' },
    depends_on: { nodes: deps, macros: [] },
    attached_node: extra.attached ?? null,
  } as unknown as GraphNode;
}

function manifestOf(nodes: GraphNode[]): Pick<Manifest, 'nodes' | 'sources'> {
  return { nodes: Object.fromEntries(nodes.map((n) => [n.unique_id, n])), sources: {} };
}

describe('planRun', () => {
  const nodes = [
    node('model.p.a', []),
    node('model.p.eph', ['model.p.a'], { materialized: 'ephemeral' }),
    node('model.p.b', ['model.p.eph']),
    node('model.p.c', ['model.p.b']),
    node('test.p.not_null_b', ['model.p.b'], { attached: 'model.p.b' }),
    node('test.p.rel_c_b', ['model.p.c', 'model.p.b'], { attached: 'model.p.c' }),
  ];
  const manifest = manifestOf(nodes);
  const graph = buildGraph(manifest);
  const all = nodes.map((n) => n.unique_id);

  it('leaves ephemeral models out but keeps the order through them', () => {
    const plan = planRun(manifest, graph, all);
    expect(plan.order).not.toContain('model.p.eph');
    expect(plan.parents.get('model.p.b')).toEqual(['model.p.a']);
  });

  it('looks through unselected nodes: a selected child still waits for a selected grandparent', () => {
    const plan = planRun(manifest, graph, ['model.p.a', 'model.p.c']);
    expect(plan.order).toEqual(['model.p.a', 'model.p.c']);
    expect(plan.parents.get('model.p.c')).toEqual(['model.p.a']);
  });

  it('in build, the children of a tested model wait for its tests, without closing a loop', () => {
    const plan = planRun(manifest, graph, all, { testsGateChildren: true });
    expect(plan.parents.get('model.p.c')).toEqual(['model.p.b', 'test.p.not_null_b']);
    // rel_c_b depends on c, so c must not wait for it.
    expect(plan.parents.get('model.p.c')).not.toContain('test.p.rel_c_b');
    expect(plan.order).toEqual([
      'model.p.a',
      'model.p.b',
      'test.p.not_null_b',
      'model.p.c',
      'test.p.rel_c_b',
    ]);
  });

  it('without build, tests gate nothing', () => {
    const plan = planRun(manifest, graph, all);
    expect(plan.parents.get('model.p.c')).toEqual(['model.p.b']);
  });
});

describe('planRun for a retried build', () => {
  it('a retried model still waits for a retried test of its unplanned parent', () => {
    const nodes = [
      node('model.p.dim', []),
      node('model.p.fct', ['model.p.dim']),
      node('test.p.accepted_values_dim', ['model.p.dim'], { attached: 'model.p.dim' }),
    ];
    const manifest = manifestOf(nodes);
    const plan = planRun(manifest, buildGraph(manifest), ['model.p.fct', 'test.p.accepted_values_dim'], {
      testsGateChildren: true,
    });
    expect(plan.parents.get('model.p.fct')).toEqual(['test.p.accepted_values_dim']);
    expect(plan.order).toEqual(['test.p.accepted_values_dim', 'model.p.fct']);
  });
});

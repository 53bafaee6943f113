import { describe, expect, it } from 'vitest';
import { buildGraph, parentAndChildMaps, topologicalOrder } from '../../../src/graph/graph.js';
import { selectNodes } from '../../../src/graph/select.js';
import type { GraphNode, SourceDefinition } from '../../../src/manifest/types.js';
import { manifest, model, source, test } from './helpers.js';

/** 50,000 nodes: 2,000 sources, 28,000 models in 20 folders (1-3 parents each), 20,000 tests. */
function bigManifest() {
  const nodes: Array<GraphNode | SourceDefinition> = [];
  for (let i = 0; i < 2000; i++) nodes.push(source(`src${i % 50}`, `t${i}`));
  for (let i = 0; i < 28_000; i++) {
    const deps =
      i < 2000
        ? [`source.p.src${i % 50}.t${i}`]
        : [...new Set([`model.p.m${i - 1}`, `model.p.m${(i * 7919) % i}`, `model.p.m${Math.floor(i / 3)}`])];
    nodes.push(
      model(`m${i}`, {
        deps,
        folder: `f${i % 20}`,
        tags: i % 10 === 0 ? ['nightly'] : [],
        config: { materialized: i % 3 === 0 ? 'table' : 'view' },
      }),
    );
  }
  for (let i = 0; i < 20_000; i++) nodes.push(test(`t${i}`, [`model.p.m${i}`]));
  return manifest(nodes);
}

const timings: Record<string, number> = {};
function time<T>(label: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  timings[label] = Math.round((performance.now() - t0) * 10) / 10;
  return out;
}

describe('50,000 nodes', () => {
  it('builds, orders and selects correctly at scale', () => {
    const m = bigManifest();
    const g = time('buildGraph', () => buildGraph(m));
    expect(g.graph.nodeCount()).toBe(50_000);
    time('topologicalOrder', () => topologicalOrder(g));
    time('parentAndChildMaps', () => parentAndChildMaps(g));
    const all = time('select everything', () => selectNodes(m, g, {}));
    expect(all.selected.size).toBe(50_000);
    const one = time('select m27000+', () => selectNodes(m, g, { select: ['m27000+'] }));
    expect(one.selected.has('model.p.m27999')).toBe(true);
    time('select +m27999 (all ancestors)', () => selectNodes(m, g, { select: ['+m27999'] }));
    time('select 200 names', () =>
      selectNodes(m, g, { select: Array.from({ length: 200 }, (_, i) => `m${i * 100}`) }),
    );
    time('select tag:nightly,config.materialized:table --exclude f1.*', () =>
      selectNodes(m, g, {
        select: ['tag:nightly,config.materialized:table'],
        exclude: ['f1.*'],
        resourceTypes: ['model'],
      }),
    );
    time('select path:models/f3 source:src7+', () =>
      selectNodes(m, g, { select: ['path:models/f3', 'source:src7+'] }),
    );
    time('state:modified+ (nothing changed)', () =>
      selectNodes(m, g, { select: ['state:modified+'], stateManifest: m }),
    );
    console.log('graph timings on 50,000 nodes (ms):', timings);
    // Speed is a benchmark's business (bench/); this test keeps the results right at scale.
    expect(topologicalOrder(g)).toHaveLength(50_000);
  });
});

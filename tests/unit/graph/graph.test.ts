import { describe, expect, it } from 'vitest';
import { Graph } from '@dagrejs/graphlib';
import { QdbtError } from '../../../src/errors.js';
import { buildGraph, parentAndChildMaps, topologicalOrder } from '../../../src/graph/graph.js';
import { manifest, model, seed, source, test } from './helpers.js';

const m = manifest([
  source('app', 'events'),
  seed('codes'),
  model('stg', { deps: ['source.p.app.events'] }),
  model('b', { deps: ['model.p.stg', 'seed.p.codes'] }),
  model('a', { deps: ['model.p.stg'] }),
  model('z', { deps: ['model.p.a', 'model.p.b'] }),
  test('not_null_a', ['model.p.a']),
]);

describe('buildGraph', () => {
  it('has nodes, sources and tests, with parent -> child edges', () => {
    const { graph } = buildGraph(m);
    expect(graph.nodes().sort()).toEqual([
      'model.p.a',
      'model.p.b',
      'model.p.stg',
      'model.p.z',
      'seed.p.codes',
      'source.p.app.events',
      'test.p.not_null_a',
    ]);
    expect(graph.hasEdge('source.p.app.events', 'model.p.stg')).toBe(true);
    expect(graph.hasEdge('model.p.a', 'test.p.not_null_a')).toBe(true);
    expect(graph.hasEdge('model.p.stg', 'source.p.app.events')).toBe(false);
    expect(graph.edgeCount()).toBe(7);
  });

  it('reports a cycle as a -> b -> a with the file of each node', () => {
    const cyclic = manifest([
      model('a', { deps: ['model.p.c'] }),
      model('b', { deps: ['model.p.a'] }),
      model('c', { deps: ['model.p.b'], folder: 'marts' }),
      model('d', { deps: ['model.p.c'] }),
    ]);
    let error: unknown;
    try {
      buildGraph(cyclic);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QdbtError);
    const q = error as QdbtError;
    expect(q.kind).toBe('graph');
    expect(q.message).toBe(
      [
        'Found a cycle: model.p.a -> model.p.b -> model.p.c -> model.p.a',
        '  model.p.a (models/a.sql)',
        '  model.p.b (models/b.sql)',
        '  model.p.c (models/marts/c.sql)',
      ].join('\n'),
    );
    expect(q.location).toEqual({ file: 'models/a.sql' });
  });

  it('reports a model that refers to itself', () => {
    expect(() => buildGraph(manifest([model('self', { deps: ['model.p.self'] })]))).toThrow(
      'Found a cycle: model.p.self -> model.p.self',
    );
  });

  it('finds the cycle downstream of acyclic nodes', () => {
    const cyclic = manifest([
      model('root'),
      model('x', { deps: ['model.p.root', 'model.p.y'] }),
      model('y', { deps: ['model.p.x'] }),
    ]);
    expect(() => buildGraph(cyclic)).toThrow(/^Found a cycle: model\.p\.x -> model\.p\.y -> model\.p\.x\n/);
  });
});

describe('parentAndChildMaps', () => {
  it('lists every node with sorted parents and children', () => {
    const { parent_map, child_map } = parentAndChildMaps(buildGraph(m));
    expect(Object.keys(parent_map)).toEqual([
      'model.p.a',
      'model.p.b',
      'model.p.stg',
      'model.p.z',
      'seed.p.codes',
      'source.p.app.events',
      'test.p.not_null_a',
    ]);
    expect(parent_map['model.p.b']).toEqual(['model.p.stg', 'seed.p.codes']);
    expect(parent_map['source.p.app.events']).toEqual([]);
    expect(child_map['model.p.stg']).toEqual(['model.p.a', 'model.p.b']);
    expect(child_map['model.p.a']).toEqual(['model.p.z', 'test.p.not_null_a']);
  });
});

describe('topologicalOrder', () => {
  it('puts parents first and breaks ties by unique_id', () => {
    expect(topologicalOrder(buildGraph(m))).toEqual([
      'seed.p.codes',
      'source.p.app.events',
      'model.p.stg',
      'model.p.a',
      'model.p.b',
      'model.p.z',
      'test.p.not_null_a',
    ]);
  });

  it('orders a subset by dependencies through nodes outside it', () => {
    const g = buildGraph(
      manifest([
        model('a'),
        model('m', { deps: ['model.p.a'] }),
        model('b', { deps: ['model.p.m'] }),
        model('c'),
        model('zz'),
        model('y', { deps: ['model.p.zz'] }),
      ]),
    );
    // b waits for a through m (not in the subset); y is free once zz (outside) is done.
    expect(topologicalOrder(g, new Set(['model.p.b', 'model.p.a', 'model.p.c', 'model.p.y']))).toEqual([
      'model.p.a',
      'model.p.b',
      'model.p.c',
      'model.p.y',
    ]);
  });
});

describe('the graphlib graph', () => {
  it('follows changes made to it after buildGraph', () => {
    const g = buildGraph(m);
    g.graph.setNode('model.p.extra');
    g.graph.setEdge('model.p.z', 'model.p.extra');
    const order = topologicalOrder(g);
    expect(order.slice(-3)).toEqual(['model.p.z', 'model.p.extra', 'test.p.not_null_a']);
    expect(parentAndChildMaps(g).parent_map['model.p.extra']).toEqual(['model.p.z']);
  });

  it('works for a graph made by hand, and reports its cycles', () => {
    const graph = new Graph();
    graph.setEdge('b', 'c');
    graph.setEdge('a', 'b');
    expect(topologicalOrder({ graph })).toEqual(['a', 'b', 'c']);
    graph.setEdge('c', 'a');
    expect(() => topologicalOrder({ graph })).toThrow('Found a cycle: a -> b -> c -> a');
  });
});

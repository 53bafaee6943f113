import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import type { YNode } from '../../../src/config/yaml/ast.js';
import { fastParse } from '../../../src/config/yaml/fastParser.js';
import { parseYaml } from '../../../src/config/yaml/parse.js';

/** A small deterministic PRNG, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = [
  'id',
  'name',
  'a b',
  'x: y',
  '#x',
  'a #b',
  "it's",
  'say "hi"',
  '',
  ' lead',
  'trail ',
  '12',
  '1.5',
  'true',
  'null',
  '~',
  '-',
  '- x',
  '[x]',
  '{y}',
  'http://h:1/p',
  'ü',
  'multi\nline',
  'tab\there',
  '*star',
  '&amp',
  '!bang',
  '%pct',
  '@at',
  '`tick',
  '|',
  '>',
  '?',
  ':',
];

function value(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 3 || k < 0.45) {
    const s = r();
    if (s < 0.5) return WORDS[Math.floor(r() * WORDS.length)];
    if (s < 0.65) return Math.floor(r() * 2000) - 1000;
    if (s < 0.75) return Math.round(r() * 1000) / 100;
    if (s < 0.85) return r() < 0.5;
    return null;
  }
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++)
    o[WORDS[Math.floor(r() * WORDS.length)]!.replace(/\n/g, ' ') || 'k'] = value(r, depth + 1);
  return o;
}

function withoutNullPositions(node: YNode | null): unknown {
  if (node === null) return null;
  if (node.kind === 'scalar') return node.value === null ? { kind: 'scalar', value: null } : node;
  if (node.kind === 'seq') return { ...node, items: node.items.map(withoutNullPositions) };
  return { ...node, values: node.values.map(withoutNullPositions) };
}

function mutate(text: string, r: () => number): string {
  const pos = Math.floor(r() * (text.length + 1));
  const ops = [' ', '  ', '-', ': ', '#', "'", '"', '\n', '[', ']', '{', '}', ',', '|', '>', '\t', 'x'];
  const op = r();
  if (op < 0.4) return text.slice(0, pos) + ops[Math.floor(r() * ops.length)] + text.slice(pos);
  if (op < 0.8) return text.slice(0, pos) + text.slice(pos + 1);
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text : `${text.slice(0, nl + 1)}  ${text.slice(nl + 1)}`;
}

describe('fast YAML parser against the yaml package', () => {
  it('agrees on values and positions for generated documents', () => {
    const r = rng(Number(process.env.FUZZ_SEED ?? 42));
    let fast = 0;
    for (let i = 0; i < 1500; i++) {
      const v = value(r, 0);
      const text = stringify(v, {
        indent: 2 + Math.floor(r() * 2),
        indentSeq: r() < 0.5,
        flowCollectionPadding: r() < 0.5,
        collectionStyle: r() < 0.2 ? 'flow' : 'any',
        defaultStringType: r() < 0.3 ? 'QUOTE_DOUBLE' : r() < 0.5 ? 'QUOTE_SINGLE' : 'PLAIN',
        lineWidth: r() < 0.5 ? 0 : 40,
      });
      const tree = fastParse(text);
      if (tree === undefined) continue;
      fast++;
      expect({ text, tree }).toEqual({ text, tree: parseYaml(text, 'f.yml', { full: true }) });
    }
    expect(fast).toBeGreaterThan(900);
  });

  it('never accepts what the yaml package rejects, nor reads it differently, after random edits', () => {
    const r = rng(Number(process.env.FUZZ_SEED ?? 7));
    const base = [
      'version: 2\nmodels:\n  - name: a\n    description: "x"\n    config: {materialized: table, tags: [a, b]}\n    columns:\n      - name: id\n        tests:\n          - unique\n          - accepted_values:\n              values: [\'a\', "b"]\n',
      'p:\n  target: t\n  outputs:\n    t:\n      type: hive\n      host: "{{ env_var(\'H\') }}"\n      session:\n        k: v # c\n      sql: |\n        select 1\n\n        from x\n',
      'a:\n- 1\n- - 2\n  - 3\nb: >-\n  folded\n  text\nc: [\n  1,\n  2 ]\n',
    ];
    let lenient = 0;
    for (let i = 0; i < 3000; i++) {
      let text = base[i % base.length]!;
      const edits = 1 + Math.floor(r() * 3);
      for (let e = 0; e < edits; e++) text = mutate(text, r);
      const tree = fastParse(text);
      if (tree === undefined) continue;
      const doc = parseDocument(text, { uniqueKeys: true });
      if (doc.errors.length > 0) {
        lenient++;
        if (process.env.SHOW_LENIENT)
          console.log(
            JSON.stringify(text),
            doc.errors.map((e) => e.code + ' ' + e.message.split('\n')[0]),
          );
        continue;
      }
      // Where an empty item sits is a matter of taste: compare everything else.
      expect({ text, tree: withoutNullPositions(tree) }).toEqual({
        text,
        tree: withoutNullPositions(parseYaml(text, 'f.yml', { full: true })),
      });
    }
    // A few invalid documents are read leniently (flow collections under-indented); keep it rare.
    expect(lenient).toBeLessThan(5);
  });
});

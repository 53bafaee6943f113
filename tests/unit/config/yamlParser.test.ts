import { describe, expect, it } from 'vitest';
import { parse as yamlParse } from 'yaml';
import { toJS } from '../../../src/config/yaml/ast.js';
import { fastParse } from '../../../src/config/yaml/fastParser.js';
import { parseYaml } from '../../../src/config/yaml/parse.js';
import { QdbtError } from '../../../src/errors.js';

/** Documents the fast parser must handle itself, giving what the `yaml` package gives. */
const FAST: Record<string, string> = {
  empty: '',
  comments: '# only a comment\n\n',
  scalars: [
    'a: 1',
    'b: -2.5',
    'c: 1e3',
    'd: true',
    'e: False',
    'f: ~',
    'g: null',
    'h:',
    'i: plain text with spaces   # comment',
    "j: 'single ''quoted'' #not comment'",
    'k: "double \\"quoted\\" \\t \\u00e9 # no comment"',
    'l: http://example.com:8080/x',
    'm: 0x1F',
    'n: 0o17',
    'o: .inf',
    'p: -.inf',
    'q: 2024-01-01',
    'r: "{{ env_var(\'X\') }}"',
    's: a#b',
    't: -x',
    'u: 01',
    'v: +12',
    '"quoted key": 1',
    "'single key': 2",
  ].join('\n'),
  nested: `
version: 2
models:
  - name: orders   # the orders
    description: "All orders"
    config:
      materialized: table
      tags: [a, "b", 'c']
    columns:
      - name: id
        tests:
          - unique
          - not_null
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped']
              config: {severity: warn}
      -
        name: other
  - name: customers
`,
  seqAtKeyIndent: 'a:\n- 1\n- 2\nb:\n  - x\n  -   y\n',
  nestedSeq: '- - a\n  - b\n- - c\n',
  docMarkers: '---\na: 1\n...\n',
  docMarkerComment: '--- # hello\na: 1\n',
  literal: 'sql: |\n  select 1\n    from x\n\n  where y\nnext: 1\n',
  literalStrip: 'sql: |-\n  line 1\n  line 2\n\n\nnext: 1\n',
  folded: 'd: >\n  one\n  two\n\n  three\n\n\n  four\ne: >-\n  x\n  y\n',
  blockInSeq: '- |\n  a\n  b\n- c\n',
  emptyBlock: 'a: |\nb: 1\n',
  flowMultiLine: 'values: [\n  "a",  # first\n  b,\n]\nmap: {a: 1, "b": [1, 2], c: {d: e}, f: }\n',
  json: '{"a": 1, "b": [true, null, "x"], "c": {"d": -1.5}}',
  crlf: 'a: 1\r\nb:\r\n  - x\r\n',
  indentedRoot: '  a: 1\n  b: 2\n',
  rootScalar: 'hello',
  rootSeq: '- 1\n- 2',
  unicode: 'name: "caf\u00e9"\ndesc: 日本語 テキスト\n',
  trailingSpaces: 'a: 1   \nb:    \n  c: 2\n',
  tabAfterValue: 'a: 1\t# comment\n',
  emptyFlow: 'a: []\nb: {}\n',
  keyWithSpaces: 'on-run-start: x\n+materialized: view\n',
};

/** Documents the fast parser leaves to the `yaml` package (they still parse). */
const SLOW: Record<string, string> = {
  anchors: 'base: &b {x: 1}\nuse: *b\n',
  merge: 'base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\n',
  multilinePlain: 'description: a long\n  text that wraps\n',
  keepChomp: 'a: |+\n  x\n\nb: 1\n',
  explicitIndent: 'a: |2\n   x\n',
  tags: 'a: !!str 1\n',
  complexKey: '? a\n: 1\n',
  multilineQuoted: 'a: "one\n  two"\n',
};

describe('fast YAML parser', () => {
  for (const [name, text] of Object.entries(FAST)) {
    it(`parses ${name} itself, like the yaml package`, () => {
      const fast = fastParse(text);
      expect(fast).not.toBe(undefined);
      const expected = yamlParse(text) ?? null;
      expect(fast ? toJS(fast) : fast).toEqual(expected);
    });
  }

  for (const [name, text] of Object.entries(SLOW)) {
    it(`leaves ${name} to the yaml package`, () => {
      expect(fastParse(text)).toBe(undefined);
      const node = parseYaml(text, 'x.yml');
      expect(node === null ? null : toJS(node)).toEqual(yamlParse(text, { merge: true }));
    });
  }

  for (const [name, text] of Object.entries(FAST)) {
    it(`gives the same positions as the yaml package for ${name}`, () => {
      expect(parseYaml(text, 'x.yml')).toEqual(parseYaml(text, 'x.yml', { full: true }));
    });
  }

  it('reports syntax errors with file:line:col', () => {
    const text = 'a: 1\nb:\n  c: 1\n c: 2\n';
    let error: unknown;
    try {
      parseYaml(text, 'models/x.yml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QdbtError);
    const q = error as QdbtError;
    expect(q.location).toEqual({ file: 'models/x.yml', line: 4, column: 1 });
    expect(q.message).toMatch(/^invalid YAML: /);
  });

  it('reports duplicate keys', () => {
    expect(() => parseYaml('a: 1\nb: 2\na: 3\n', 'p.yml')).toThrow(/unique/);
    try {
      parseYaml('a: 1\nb: 2\na: 3\n', 'p.yml');
    } catch (e) {
      expect((e as QdbtError).location).toEqual({ file: 'p.yml', line: 3, column: 1 });
    }
  });
});

import { describe, expect, test } from 'vitest';
import { staticParse, staticRender, type StaticCall } from '../../../src/templating/staticParser.js';
import { engineWith, nodeContext, Relation } from './helpers.js';

const replace = (call: StaticCall): string =>
  call.kind === 'ref'
    ? new Relation('analytics', call.args[call.args.length - 1]!).toString()
    : new Relation(call.args[0]!, call.args[1]!).toString();

describe('staticParse', () => {
  test('finds ref, source and config calls with literal arguments', () => {
    const src =
      "{{ config(materialized='incremental', partition_by=['ds'], tags=[\"a\"], props={'k': 1.5, 'on': True}, x=none) }}\n" +
      'select *\nfrom {{ ref("orders") }} o\njoin {{source( \'raw\', "events" )}} e\n' +
      "join {{ ref('pkg', 'model', version=2) }}\n";
    const calls = staticParse(src);
    expect(calls).not.toBeNull();
    expect(calls!.map(({ kind, args, kwargs, line }) => ({ kind, args, kwargs, line }))).toEqual([
      {
        kind: 'config',
        args: [],
        kwargs: {
          materialized: 'incremental',
          partition_by: ['ds'],
          tags: ['a'],
          props: { k: 1.5, on: true },
          x: null,
        },
        line: 1,
      },
      { kind: 'ref', args: ['orders'], kwargs: {}, line: 3 },
      { kind: 'source', args: ['raw', 'events'], kwargs: {}, line: 4 },
      { kind: 'ref', args: ['pkg', 'model'], kwargs: { version: 2 }, line: 5 },
    ]);
    const ref = calls![1]!;
    expect(src.slice(ref.start, ref.end)).toBe('{{ ref("orders") }}');
  });

  test.each([
    ['a block tag', "{% if x %}{{ ref('a') }}{% endif %}"],
    ['a comment', "{# hi #}{{ ref('a') }}"],
    ['another expression', "{{ ref('a') }} {{ var('x') }}"],
    ['a filter', "{{ ref('a') | upper }}"],
    ['an attribute of the call', "{{ ref('a').identifier }}"],
    ['whitespace control', "{{- ref('a') }}"],
    ['whitespace control at the end', "{{ ref('a') -}}"],
    ['a non-literal argument', '{{ ref(name) }}'],
    ['an escape in a string', "{{ ref('a\\'b') }}"],
    ['a positional config argument', "{{ config({'a': 1}) }}"],
    ['source with one argument', "{{ source('raw') }}"],
    ['ref with three arguments', "{{ ref('a', 'b', 'c') }}"],
    ['a stray closing tag', "select '}}' from {{ ref('a') }}"],
    ['CRLF line endings', "select 1\r\nfrom {{ ref('a') }}\r\n"],
    ['an expression in a kwarg', '{{ config(x=1 + 1) }}'],
    ['an unterminated string', "{{ ref('a) }}"],
    ['`}}` before the end of the tag (nunjucks stops there)', "{{ config(meta={'a': {'b': 1}}) }}"],
  ])('returns null for %s', (_what, src) => {
    expect(staticParse(src)).toBeNull();
  });

  test('a template without any Jinja has no calls', () => {
    expect(staticParse('select 1\n')).toEqual([]);
  });
});

describe('staticRender renders exactly as the engine', () => {
  const engine = engineWith({});
  const context = nodeContext({
    ref: (...a: unknown[]) => new Relation('analytics', String(a.filter((x) => typeof x === 'string').pop())),
  });
  test.each([
    "{{ config(materialized='table') }}\nselect *\nfrom {{ ref('orders') }}\n",
    "select * from {{ source('raw', 'events') }} where x = '{'",
    "{{ ref('a') }}{{ ref('b') }}",
    'select 1\n\n',
    "with a as (select * from {{ ref('pkg', 'a', v=1) }})\nselect * from a",
  ])('%j', (src) => {
    const calls = staticParse(src);
    expect(calls).not.toBeNull();
    expect(staticRender(src, calls!, replace)).toBe(engine.render('models/m.sql', src, context).sql);
  });
});

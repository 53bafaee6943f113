import { describe, expect, test } from 'vitest';
import { compileTemplate, type CompiledTemplate } from '../../../src/templating/compile.js';
import { sharedEnvironment } from '../../../src/templating/filters.js';
import { nj } from '../../../src/templating/nj.js';
import { qdbtRuntime } from '../../../src/templating/runtime.js';
import { simpleTemplate } from '../../../src/templating/simpleTemplate.js';
import { Relation } from './helpers.js';

/** Names a template can use, each call logged, so that both renderings can be compared call by call. */
function names(log: string[]): Record<string, unknown> {
  const logged =
    (name: string, result: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      log.push(`${name}(${JSON.stringify(args)})`);
      return result(...args);
    };
  return {
    ref: logged('ref', (...args) => new Relation('analytics', String(args[args.length - 1]))),
    source: logged('source', (a, b) => new Relation(String(a), String(b))),
    config: logged('config', (kwargs) => {
      // A callee that keeps and changes what it was given must not change the template.
      if (kwargs && typeof kwargs === 'object' && Array.isArray((kwargs as { tags?: unknown }).tags))
        ((kwargs as { tags: unknown[] }).tags as unknown[]).push('seen');
      return '';
    }),
    var: logged('var', (name, fallback) => (name === 'start_date' ? '2024-01-01' : (fallback ?? null))),
    cents: logged('cents', (column) => `cast(${String(column)} * 100 as decimal(18, 2))`),
    is_incremental: logged('is_incremental', () => false),
    truthy_call: logged('truthy_call', () => [1]),
    empty: logged('empty', () => ''),
    none_value: logged('none_value', () => null),
    zero: logged('zero', () => 0),
    this: new Relation('analytics', 'me'),
    flag: true,
    nothing: null,
  };
}

function render(template: CompiledTemplate): { output?: string; error?: string; log: string[] } {
  const log: string[] = [];
  const scope = names(log);
  const context = {
    file: 'models/t.sql',
    lookup: (name: string) => scope[name],
    names: () => Object.keys(scope),
  };
  const frame = new nj.runtime.Frame();
  frame.topLevel = true;
  let output: string | undefined;
  let error: string | undefined;
  template.root(sharedEnvironment(), context, frame, qdbtRuntime, (err, res) => {
    if (err) error = `${(err as Error).message} @${String((err as { qdbtLine?: number }).qdbtLine)}`;
    else output = res;
  });
  return { output, error, log };
}

function expectSameAsNunjucks(source: string): void {
  const simple = simpleTemplate(source, 'models/t.sql');
  expect(simple, source).not.toBeNull();
  const twice = [render(simple!), render(simple!)];
  const reference = render(compileTemplate(source, 'models/t.sql'));
  for (const result of twice) expect(result, source).toEqual(reference);
}

describe('simpleTemplate renders exactly as nunjucks', () => {
  test.each([
    'select 1\n',
    'select 1\n\n',
    "{{ config(materialized='table', tags=['finance']) }}\nselect {{ cents('a.amount') }} as c\nfrom {{ ref('orders') }}\n",
    "select * from {{ source('raw', 'events') }} where ds >= '{{ var(\"start_date\") }}'",
    "{% if var('start_date', none) %}where x >= '{{ var(\"start_date\") }}'{% endif %}\n",
    '{% if is_incremental() %}\nwhere ts > (select max(ts) from {{ this }})\n{% endif %}\n',
    '{% if zero() %}a{% elif empty() %}b{% elif not none_value() %}c{% else %}d{% endif %}',
    '{% if not not flag %}yes{% else %}no{% endif %}',
    '{{ nothing }} {{ none_value() }} {{ zero() }} {{ truthy_call() }} {{ flag }} {{ not flag }}',
    'a  {{- ref("x") -}}  b\n  {%- if flag -%}\n  c\n  {%- else -%} d {%- endif -%}\n  e',
    '{# a comment #}select 1{#- trimmed -#}\n  from t {# {{ not rendered }} #}',
    "{{ config(x={'b': {'c': True, 'd': None}, 'a': [1, 2.5, -3]}, y='s') }}",
    "{{ ref('pkg', 'model', version=2) }} {{ cents('c', 4) }}",
    '{% if flag %}{% if zero() %}inner{% else %}{{ ref("deep") }}{% endif %}{% endif %}tail',
    'select 1\r\nfrom t\r\n',
  ])('%j', (source) => expectSameAsNunjucks(source));

  test('literals given to a call are fresh on every render', () => {
    const simple = simpleTemplate("{{ config(tags=['a']) }}", 'models/t.sql')!;
    expect(render(simple).log).toEqual(['config([{"tags":["a"],"__keywords":true}])']);
    expect(render(simple).log).toEqual(['config([{"tags":["a"],"__keywords":true}])']);
  });

  test('an error is reported by the compiled template, with its message and line', () => {
    for (const source of [
      'select 1\nfrom {{ missing("x") }}',
      'select {{ undefined_name }}',
      'a\n{% if flag %}\n{{ flag("not callable") }}{% endif %}',
    ]) {
      const simple = simpleTemplate(source, 'models/t.sql');
      expect(simple).not.toBeNull();
      const result = render(simple!);
      expect(result.error).toBeDefined();
      expect(result.error).toBe(render(compileTemplate(source, 'models/t.sql')).error);
    }
  });

  test('randomly built templates of the subset render as nunjucks renders them', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(items: T[]): T => items[random(items.length)]!;
    const texts = ['select a', ' ', '\n', '  \n  ', 'from t\n', ',', "'x'", '{ a }', '\t', ''];
    const literal = (depth: number): string =>
      depth > 1
        ? pick(["'s'", '"d"', '1', '-2', '2.5', 'true', 'False', 'none', 'None'])
        : pick([
            "'s'",
            '1',
            'true',
            'none',
            `[${literal(depth + 1)}, ${literal(depth + 1)}]`,
            `{'k': [${literal(depth + 1)}]}`,
            '[]',
          ]);
    const call = (): string =>
      pick([
        `ref('m${random(5)}')`,
        `source('raw', 't${random(3)}')`,
        `var('start_date')`,
        `var('other', ${literal(0)})`,
        `cents('c', scale=${literal(0)})`,
        `config(materialized='view', tags=${literal(0)})`,
        'is_incremental()',
        'truthy_call()',
        'empty()',
        'none_value()',
        'zero()',
        'this',
        'flag',
        'nothing',
      ]);
    const dash = () => (random(3) === 0 ? '-' : '');
    const block = (depth: number): string => {
      let out = '';
      for (let i = random(5); i >= 0; i--) {
        const kind = random(depth > 2 ? 3 : 4);
        if (kind === 0) out += pick(texts);
        else if (kind === 1) out += `{{${dash()} ${call()} ${dash()}}}`;
        else if (kind === 2) out += `{#${dash()} note ${dash()}#}`;
        else {
          const not = random(3) === 0 ? 'not ' : '';
          out += `{%${dash()} if ${not}${call()} ${dash()}%}${block(depth + 1)}`;
          for (let e = random(3); e > 0; e--)
            out += `{%${dash()} elif ${call()} ${dash()}%}${block(depth + 1)}`;
          if (random(2)) out += `{%${dash()} else ${dash()}%}${block(depth + 1)}`;
          out += `{%${dash()} endif ${dash()}%}`;
        }
        out += pick(texts);
      }
      return out;
    };
    for (let i = 0; i < 1000; i++) expectSameAsNunjucks(block(0) + pick(['', '\n', '\n\n']));
  });
});

describe('simpleTemplate leaves to nunjucks what it does not interpret', () => {
  test.each([
    '{{ ref("a") | upper }}',
    '{{ target.schema }}',
    '{{ x ~ y }}',
    '{{ 1 }}',
    '{{ f(x) }}',
    '{% set x = 1 %}{{ x }}',
    '{% for x in [1] %}{{ x }}{% endfor %}',
    '{% macro m() %}x{% endmacro %}',
    '{% if flag %}unclosed',
    '{% endif %}',
    '{% if flag %}a{% else %}b{% elif flag %}c{% endif %}',
    '{% if flag and zero() %}x{% endif %}',
    "{{ f('a\\'b') }}",
    'a }} b',
    '{{ f() - }}',
    '{% raw %}{{ x }}{% endraw %}',
    // nunjucks ends the tag at the first `}}`, and so fails on this one: so must the fast path.
    "{{ config(x={'b': {'c': True}}) }}",
  ])('%j', (source) => {
    expect(simpleTemplate(source, 'models/t.sql')).toBeNull();
  });
});

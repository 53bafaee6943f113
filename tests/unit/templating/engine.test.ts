import { describe, expect, test } from 'vitest';
import { splitArgs } from '../../../src/templating/args.js';
import { Relation, engineWith, nodeContext } from './helpers.js';

const MACROS = {
  'macros/schema.sql':
    '{% macro generate_schema_name(custom_schema_name, node) -%}\n' +
    '  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ target.schema }}_{{ custom_schema_name | trim }}{%- endif -%}\n' +
    '{%- endmacro %}\n',
  'macros/util.sql':
    "{% macro columns(prefix='c') %}{{ return([prefix ~ '1', prefix ~ '2']) }}{% endmacro %}\n" +
    '{% macro me() %}{{ this }} <- {{ ref(model.name ~ "_src") }}{% endmacro %}\n' +
    '{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}\n' +
    '{% macro uses_twice() %}{{ twice("ab") }}{% endmacro %}\n' +
    "{% macro maybe(flag) %}{% if flag %}{{ return({'flag': flag}) }}{% endif %}not returned{% endmacro %}\n",
  'macros/tests.sql':
    '{% test not_negative(model, column_name, strict=true) %}\nselect {{ column_name }} from {{ model }} where {{ column_name }} <{{ "=" if not strict }} 0\n{% endtest %}\n',
};

describe('render', () => {
  const engine = engineWith(MACROS);

  test('autoescape is off: quotes and angle brackets pass through', () => {
    const { sql } = engine.render('models/a.sql', `select '{{ "it's <b>" }}' as s`, nodeContext());
    expect(sql).toBe(`select 'it's <b>' as s`);
  });

  test('one trailing newline is dropped, as Jinja does', () => {
    expect(engine.render('models/a.sql', 'select 1\n', nodeContext()).sql).toBe('select 1');
    expect(engine.render('models/a.sql', 'select 1\n\n', nodeContext()).sql).toBe('select 1\n');
    expect(engine.render('models/a.sql', 'select 1\r\nfrom t\r\n', nodeContext()).sql).toBe(
      'select 1\nfrom t',
    );
  });

  test('macros see the current render context (this, ref, model)', () => {
    const a = engine.render(
      'models/a.sql',
      '{{ me() }}',
      nodeContext({ this: new Relation('s', 'a'), model: { name: 'a' } }),
    );
    const b = engine.render(
      'models/b.sql',
      '{{ me() }}',
      nodeContext({ this: new Relation('s', 'b'), model: { name: 'b' } }),
    );
    expect(a.sql).toBe('`s`.`a` <- `analytics`.`a_src`');
    expect(b.sql).toBe('`s`.`b` <- `analytics`.`b_src`');
  });

  test('macrosCalled lists the project macros the render called, including nested ones', () => {
    const r = engine.render('models/a.sql', "{{ uses_twice() }} {{ columns() | join(',') }}", nodeContext());
    expect(r.sql).toBe('abab c1,c2');
    expect([...r.macrosCalled].sort()).toEqual(['columns', 'twice', 'uses_twice']);
    expect(engine.render('models/a.sql', 'select 1', nodeContext()).macrosCalled).toEqual([]);
  });

  test('context functions receive keyword arguments as a trailing __keywords object', () => {
    const calls: unknown[] = [];
    const config = (...args: unknown[]) => {
      calls.push(splitArgs(args));
      return '';
    };
    engine.render(
      'models/a.sql',
      "{{ config(materialized='incremental', partition_by=['ds']) }}",
      nodeContext({ config }),
    );
    expect(calls).toEqual([
      { positional: [], keywords: { materialized: 'incremental', partition_by: ['ds'] } },
    ]);
  });

  test('context names override base names; top-level sets stay in the file', () => {
    const r = engine.render(
      'models/a.sql',
      '{% set x = 1 %}{{ target }}-{{ x }}',
      nodeContext({ target: 'overridden' }),
    );
    expect(r.sql).toBe('overridden-1');
  });

  test('compiled templates are reused across renders (same source, other file)', () => {
    const src = '{{ this }}';
    const one = engine.render('models/one.sql', src, nodeContext({ this: 'one' }));
    const two = engine.render('models/two.sql', src, nodeContext({ this: 'two' }));
    expect([one.sql, two.sql]).toEqual(['one', 'two']);
  });

  test('a macro raising return() inside a loop restores the caller frame', () => {
    const src =
      '{% macro first(xs) %}{% for x in xs %}{% if x %}{{ return(x) }}{% endif %}{% endfor %}{% endmacro %}' +
      '{% set outer = "kept" %}{{ first([0, 3]) }}-{{ outer }}';
    expect(engine.render('models/a.sql', src, nodeContext()).sql).toBe('3-kept');
  });
});

describe('callMacro', () => {
  const engine = engineWith(MACROS);
  const ctx = nodeContext();

  test('returns the rendered text, trimmed', () => {
    expect(engine.callMacro('generate_schema_name', [null, {}], {}, ctx)).toBe('analytics');
    expect(engine.callMacro('generate_schema_name', [' marts '], {}, ctx)).toBe('analytics_marts');
    expect(engine.callMacro('generate_schema_name', [], { custom_schema_name: 'kw' }, ctx)).toBe(
      'analytics_kw',
    );
  });

  test('returns return() values as JS values', () => {
    expect(engine.callMacro('columns', [], {}, ctx)).toEqual(['c1', 'c2']);
    expect(engine.callMacro('columns', [], { prefix: 'x' }, ctx)).toEqual(['x1', 'x2']);
    expect(engine.callMacro('maybe', [true], {}, ctx)).toEqual({ flag: true });
    expect(engine.callMacro('maybe', [false], {}, ctx)).toBe('not returned');
  });

  test('hasMacro, macros()', () => {
    expect(engine.hasMacro('columns')).toBe(true);
    expect(engine.hasMacro('nope')).toBe(false);
    const info = engine.macros().find((m) => m.name === 'generate_schema_name');
    expect(info).toEqual({
      name: 'generate_schema_name',
      file: 'macros/schema.sql',
      line: 1,
      args: ['custom_schema_name', 'node'],
      source: MACROS['macros/schema.sql'].trimEnd(),
    });
    expect(engine.macros().find((m) => m.name === 'columns')?.args).toEqual(['prefix']);
  });
});

describe('generic tests', () => {
  const engine = engineWith(MACROS);

  test('genericTests() lists {% test %} blocks', () => {
    expect([...engine.genericTests().entries()]).toEqual([
      [
        'not_negative',
        {
          name: 'not_negative',
          file: 'macros/tests.sql',
          line: 1,
          params: ['model', 'column_name', 'strict'],
        },
      ],
    ]);
    expect(engine.hasMacro('test_not_negative')).toBe(true);
  });

  test('renderGenericTest renders with model as a relation', () => {
    const sql = engine.renderGenericTest(
      'not_negative',
      { model: new Relation('s', 'orders'), column_name: 'amount' },
      nodeContext(),
    );
    expect(sql).toBe('select amount from `s`.`orders` where amount < 0');
    const lax = engine.renderGenericTest(
      'not_negative',
      { model: new Relation('s', 'orders'), column_name: 'amount', strict: false },
      nodeContext(),
    );
    expect(lax).toBe('select amount from `s`.`orders` where amount <= 0');
  });

  test('unknown generic test', () => {
    expect(() => engine.renderGenericTest('nope', {}, nodeContext())).toThrow(
      "Generic test 'nope' not found",
    );
  });
});

describe('splitArgs', () => {
  test('splits a trailing __keywords object', () => {
    expect(splitArgs(['a', { x: 1, __keywords: true }])).toEqual({ positional: ['a'], keywords: { x: 1 } });
    expect(splitArgs(['a', { x: 1 }])).toEqual({ positional: ['a', { x: 1 }], keywords: {} });
    expect(splitArgs([])).toEqual({ positional: [], keywords: {} });
  });
});

import { describe, expect, it } from 'vitest';
import { VarScope } from '../../../src/config/vars.js';
import { QdbtError } from '../../../src/errors.js';
import { createBaseContext, type BaseContextOptions } from '../../../src/templating/baseContext.js';
import { createTemplateEngine } from '../../../src/templating/engine.js';

function contextWith(options: Partial<BaseContextOptions>): Record<string, unknown> {
  return createBaseContext({
    vars: {},
    env: {},
    target: { name: 'dev', schema: 'analytics' },
    invocationId: '00000000-0000-4000-8000-000000000000',
    runStartedAt: new Date('2024-05-06T07:08:09.123Z'),
    ...options,
  });
}

function render(source: string, options: Partial<BaseContextOptions>): string {
  const engine = createTemplateEngine({ macroFiles: [], baseContext: contextWith(options) });
  return engine.render('models/m.sql', source, {}).sql;
}

const callVar = (ctx: Record<string, unknown>, ...args: unknown[]): unknown =>
  (ctx.var as (...a: unknown[]) => unknown)(...args);

describe('var(): values and defaults', () => {
  it('returns the value, the default, or fails when the var is required', () => {
    const vars = { start_date: '2024-01-01', n: 3, flag: false, none: null, list: [1, 2] };
    expect(render("{{ var('start_date') }}|{{ var('n') + 1 }}|{{ var('flag') }}", { vars })).toBe(
      '2024-01-01|4|False',
    );
    expect(render("{{ var('missing', 'dflt') }}|{{ var('none', 'x') }}", { vars })).toBe('dflt|None');
    expect(render("{{ var('list') | length }}", { vars })).toBe('2');
    expect(() => render("{{ var('missing') }}", { vars })).toThrow("Required var 'missing' not found");
    expect(render("{{ var.has_var('n') }}|{{ var.has_var('missing') }}", { vars })).toBe('True|False');
  });
});

describe('var(): values holding Jinja are rendered', () => {
  const vars = { v: "{{ env_var('QDBT_V', 'fromenv') }}" };

  it('renders env_var() with QDBT_V set and unset', () => {
    expect(render("{{ var('v') }}", { vars, env: { QDBT_V: 'set' } })).toBe('set');
    expect(render("{{ var('v') }}", { vars, env: {} })).toBe('fromenv');
  });

  it('renders a var that refers to other vars, and the rest of the base context', () => {
    const chain = {
      schema_prefix: 'stg',
      day: "{{ env_var('DAY', '2024-01-01') }}",
      table: "{{ var('schema_prefix') }}_{{ var('day') | replace('-', '') }}",
      where: '{{ target.name }}',
    };
    expect(
      render("{{ var('table') }} in {{ var('where') }}", { vars: chain, env: { DAY: '2025-02-03' } }),
    ).toBe('stg_20250203 in dev');
  });

  it('leaves strings without Jinja and non-strings alone', () => {
    const plain = { a: 'a { b } c }}', m: { inner: "{{ env_var('X', 'y') }}" } };
    const ctx = contextWith({ vars: plain });
    expect(callVar(ctx, 'a')).toBe('a { b } c }}');
    // As in dbt, only a var's own string value is rendered, not strings nested in it.
    expect(callVar(ctx, 'm')).toEqual({ inner: "{{ env_var('X', 'y') }}" });
  });

  it('reports a var that reaches itself, and names the var of a failed render', () => {
    const loop = { a: "{{ var('b') }}", b: "x{{ var('a') }}" };
    expect(() => render("{{ var('a') }}", { vars: loop })).toThrow(
      "var 'a' refers to itself: 'a' -> 'b' -> 'a'",
    );
    const missing = { v: "{{ env_var('QDBT_NOT_SET') }}" };
    expect(() => render("{{ var('v') }}", { vars: missing })).toThrow(
      "in var 'v': Env var required but not provided: 'QDBT_NOT_SET'",
    );
    try {
      render("{{ var('v') }}", { vars: missing });
    } catch (e) {
      expect(e).toBeInstanceOf(QdbtError);
      expect((e as QdbtError).location?.file).toBe('models/m.sql');
    }
  });

  it('renders each var once, however often it is read', () => {
    let renders = 0;
    const scope = new VarScope({
      vars: { v: '{{ x }}', n: 1 },
      render: (text, name) => {
        renders++;
        return `${name}:${text}`;
      },
    });
    for (let i = 0; i < 1000; i++) expect(scope.get('v')).toBe('v:{{ x }}');
    expect(scope.get('n')).toBe(1);
    expect(renders).toBe(1);
  });

  it('reads env_var() through the env it was given (so the compile cache records it)', () => {
    const read: string[] = [];
    const env = new Proxy({ QDBT_V: 'seen' } as Record<string, string | undefined>, {
      get(target, name) {
        if (typeof name === 'string') read.push(name);
        return Reflect.get(target, name) as string | undefined;
      },
    });
    expect(render("{{ var('v') }}{{ var('v') }}", { vars, env })).toBe('seenseen');
    expect(read).toEqual(['QDBT_V']);
  });
});

describe('var(): project-scoped vars', () => {
  const projectVars = { w: 0, g: 'global', my_project: { w: 1, s: 'scoped' }, other_pkg: { w: 2 } };

  it("reads the vars scoped under the project's name, over the global ones", () => {
    const ctx = contextWith({ vars: projectVars, projectName: 'my_project' });
    expect(callVar(ctx, 'w', 'nope')).toBe(1);
    expect(callVar(ctx, 's')).toBe('scoped');
    expect(callVar(ctx, 'g')).toBe('global');
    expect(callVar(ctx, 'missing', 'nope')).toBe('nope');
    expect((ctx.var as { has_var(n: string): boolean }).has_var('s')).toBe(true);
    // The scope itself stays a var, as in dbt.
    expect(callVar(ctx, 'other_pkg')).toEqual({ w: 2 });
  });

  it('ignores other scopes, and a scope that is not a mapping', () => {
    const other = contextWith({ vars: projectVars, projectName: 'other_pkg' });
    expect(callVar(other, 'w')).toBe(2);
    expect(callVar(other, 's', 'nope')).toBe('nope');
    const flat = contextWith({ vars: { my_project: 'a string', w: 0 }, projectName: 'my_project' });
    expect(callVar(flat, 'w')).toBe(0);
    expect(callVar(flat, 'my_project')).toBe('a string');
    expect(callVar(contextWith({ vars: projectVars }), 'w')).toBe(0);
  });

  it('precedence: --vars over project-scoped over global', () => {
    const cliVars = { w: 9 };
    const ctx = contextWith({ vars: { ...projectVars, ...cliVars }, projectName: 'my_project', cliVars });
    expect(callVar(ctx, 'w')).toBe(9);
    expect(callVar(ctx, 's')).toBe('scoped');
    expect(callVar(ctx, 'g')).toBe('global');
    const globalOnly = contextWith({
      vars: { g: 'global', my_project: { g: 'scoped' } },
      projectName: 'my_project',
    });
    expect(callVar(globalOnly, 'g')).toBe('scoped');
  });

  it('renders a scoped var holding Jinja, with the other vars it reads scoped too', () => {
    const vars = {
      suffix: 'global',
      my_project: { suffix: 'scoped', name: "{{ env_var('QDBT_V', 'd') }}_{{ var('suffix') }}" },
    };
    expect(render("{{ var('name') }}", { vars, projectName: 'my_project', env: { QDBT_V: 'e' } })).toBe(
      'e_scoped',
    );
  });
});

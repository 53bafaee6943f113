import { describe, expect, test } from 'vitest';
import { QdbtError } from '../../../src/errors.js';
import { engineWith, nodeContext } from './helpers.js';

function renderError(
  source: string,
  macros: Record<string, string> = {},
  context = nodeContext(),
): QdbtError {
  const engine = engineWith(macros);
  try {
    engine.render('models/m.sql', source, context);
  } catch (err) {
    expect(err).toBeInstanceOf(QdbtError);
    return err as QdbtError;
  }
  throw new Error('expected the render to fail');
}

describe('template errors name the file and line', () => {
  test('undefined variable', () => {
    const err = renderError('select 1\nfrom {{ missing_table }}\n');
    expect(err.kind).toBe('template');
    expect(err.message).toBe("'missing_table' is undefined");
    expect(err.location).toEqual({ file: 'models/m.sql', line: 2 });
  });

  test('undefined variable suggests close names', () => {
    const err = renderError('{{ refs }}');
    expect(err.hint).toBe("Did you mean 'ref'?");
  });

  test('undefined variable inside an if condition', () => {
    const err = renderError('a\nb\n{% if flag %}x{% endif %}');
    expect(err.message).toBe("'flag' is undefined");
    expect(err.location?.line).toBe(3);
  });

  test('calling an undefined function', () => {
    const err = renderError('\n{{ not_a_macro(1) }}');
    expect(err.message).toBe("'not_a_macro' is undefined");
    expect(err.location?.line).toBe(2);
  });

  test('printing a missing attribute', () => {
    const err = renderError('x\n{{ model.nope }}');
    expect(err.message).toBe("'model.nope' is undefined");
    expect(err.location).toEqual({ file: 'models/m.sql', line: 2, column: 4 });
  });

  test('missing attribute is falsy in conditions, as in Jinja', () => {
    const engine = engineWith({});
    expect(
      engine.render('models/m.sql', '{% if model.nope %}y{% else %}n{% endif %}', nodeContext()).sql,
    ).toBe('n');
  });

  test('required var without default', () => {
    const err = renderError("select '{{ var('start') }}'");
    expect(err.message).toBe("Required var 'start' not found");
    expect(err.hint).toContain('project.yml');
    expect(err.hint).toContain('--vars');
    expect(err.location).toEqual({ file: 'models/m.sql', line: 1 });
  });

  test('env_var without default', () => {
    const err = renderError("\n\n{{ env_var('QDBT_MISSING_ENV') }}");
    expect(err.message).toBe("Env var required but not provided: 'QDBT_MISSING_ENV'");
    expect(err.location?.line).toBe(3);
  });

  test('raise_compiler_error', () => {
    const err = renderError(
      "line 1\n{% if true %}\n  {{ exceptions.raise_compiler_error('bad config: ' ~ 42) }}\n{% endif %}",
    );
    expect(err.message).toBe('bad config: 42');
    expect(err.location).toEqual({ file: 'models/m.sql', line: 3 });
  });

  test('syntax error', () => {
    const err = renderError('select 1\n{% if x %}\nno end');
    expect(err.message).toMatch(/^Template syntax error: /);
    expect(err.location?.file).toBe('models/m.sql');
    expect(err.location?.line).toBe(3);
  });

  test('syntax error in an expression names line and column', () => {
    const err = renderError('select\n  {{ ref("a" }}');
    expect(err.message).toMatch(/^Template syntax error: /);
    expect(err.location?.line).toBe(2);
    expect(err.location?.column).toBeGreaterThan(1);
  });

  test('unknown tag', () => {
    const err = renderError('\n{% materialize %}');
    expect(err.message).toBe('Template syntax error: unknown block tag: materialize');
    expect(err.location).toEqual({ file: 'models/m.sql', line: 2, column: 4 });
  });

  test('include/import are rejected with a hint to use macros/', () => {
    const err = renderError("{% import 'x.sql' as x %}");
    expect(err.message).toContain('{% import %} is not supported');
  });

  test('error inside a macro names the model line and the macro file and line', () => {
    const macros = {
      'macros/inner.sql': '{% macro inner() %}\nok\n{{ undefined_in_macro }}\n{% endmacro %}',
      'macros/outer.sql': '{% macro outer() %}\n{{ inner() }}\n{% endmacro %}',
    };
    const err = renderError('select\n\n{{ outer() }}', macros);
    expect(err.message).toBe(
      "'undefined_in_macro' is undefined\n" +
        "  > in macro 'inner' (macros/inner.sql:3)\n" +
        "  > called from macro 'outer' (macros/outer.sql:2)",
    );
    expect(err.location).toEqual({ file: 'models/m.sql', line: 3 });
  });

  test('raise_compiler_error inside a macro', () => {
    const macros = {
      'macros/check.sql':
        "{% macro check(x) %}\n{% if x < 0 %}\n{{ exceptions.raise_compiler_error('negative: ' ~ x) }}\n{% endif %}\n{% endmacro %}",
    };
    const err = renderError('a\n{{ check(-1) }}', macros);
    expect(err.message).toBe("negative: -1\n  > in macro 'check' (macros/check.sql:3)");
    expect(err.location).toEqual({ file: 'models/m.sql', line: 2 });
  });

  test('errors thrown by context functions keep their kind and hint and get a location', () => {
    const context = nodeContext({
      ref: () => {
        throw new QdbtError('project', "Model 'nope' not found", { hint: 'Check the name.' });
      },
    });
    const err = renderError("select *\nfrom {{ ref('nope') }}", {}, context);
    expect(err.kind).toBe('project');
    expect(err.message).toBe("Model 'nope' not found");
    expect(err.hint).toBe('Check the name.');
    expect(err.location).toEqual({ file: 'models/m.sql', line: 2 });
  });

  test('return() outside a macro', () => {
    const err = renderError('\n{{ return(1) }}');
    expect(err.message).toBe('return() can only be used inside a macro');
    expect(err.location?.line).toBe(2);
  });

  test('Python errors from methods', () => {
    const err = renderError('{% set l = [1] %}\n{% do l.remove(5) %}');
    expect(err.message).toBe('ValueError: list.remove(x): x not in list');
    expect(err.location?.line).toBe(2);
  });

  test('break outside a loop', () => {
    const err = renderError('\n{% break %}');
    expect(err.message).toBe('Template syntax error: {% break %} outside a for loop');
    expect(err.location?.line).toBe(2);
  });

  test('tuple unpacking with the wrong count', () => {
    const err = renderError("\n{% set a, b = 'x.y.z'.split('.') %}");
    expect(err.message).toBe('ValueError: too many values to unpack (expected 2)');
    expect(err.location?.line).toBe(2);
  });
});

describe('macro file errors', () => {
  test('syntax error in a macro file names the file and line', () => {
    let err: unknown;
    try {
      engineWith({
        'macros/broken.sql': '{% macro ok() %}x{% endmacro %}\n\n{% macro broken( %}\n{% endmacro %}',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QdbtError);
    const q = err as QdbtError;
    expect(q.message).toMatch(/^Template syntax error: /);
    expect(q.location?.file).toBe('macros/broken.sql');
    expect(q.location?.line).toBe(3);
  });

  test('duplicate macro names name both files', () => {
    let err: unknown;
    try {
      engineWith({
        'macros/a.sql': '{% macro dup() %}a{% endmacro %}',
        'macros/b.sql': '\n{% macro dup() %}b{% endmacro %}',
      });
    } catch (e) {
      err = e;
    }
    const q = err as QdbtError;
    expect(q).toBeInstanceOf(QdbtError);
    expect(q.message).toBe("Macro 'dup' is defined twice: in macros/a.sql:1 and macros/b.sql:2");
    expect(q.location).toEqual({ file: 'macros/b.sql', line: 2 });
  });

  test('callMacro error points into the macro file', () => {
    const engine = engineWith({ 'macros/m.sql': '{% macro m() %}\n\n{{ nope }}{% endmacro %}' });
    let err: unknown;
    try {
      engine.callMacro('m', [], {}, {});
    } catch (e) {
      err = e;
    }
    const q = err as QdbtError;
    expect(q.message).toBe("'nope' is undefined\n  > in macro 'm' (macros/m.sql:3)");
    expect(q.location).toEqual({ file: 'macros/m.sql', line: 3 });
  });

  test('callMacro of an unknown macro', () => {
    expect(() => engineWith({}).callMacro('nope', [], {}, {})).toThrow("Macro 'nope' not found");
  });
});

// Jinja's slices (`x[a:b:c]`), which nunjucks does not parse, against what CPython gives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { engineWith, nodeContext } from './helpers.js';

const python = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/templating/python-slices.json'), 'utf8'),
) as { string: string; cases: Array<[number | null, number | null, number | null, string]> };

const engine = engineWith({});
const render = (template: string, context: Record<string, unknown> = {}) =>
  engine.render('models/s.sql', template, nodeContext(context)).sql;
const part = (value: number | null) => (value === null ? '' : String(value));

describe('slices', () => {
  test('strings and lists slice as in Python, for every start, stop and step', () => {
    const templates = python.cases.map(
      ([start, stop, step]) =>
        `{{ text[${part(start)}:${part(stop)}${step === null ? '' : `:${step}`}] }}|{{ chars[${part(start)}:${part(stop)}${step === null ? '' : `:${step}`}] | join('') }}`,
    );
    const rendered = render(templates.join('\n'), { text: python.string, chars: [...python.string] });
    expect(rendered.split('\n')).toEqual(python.cases.map(([, , , expected]) => `${expected}|${expected}`));
  });

  test('bounds may be expressions, and indexing is unchanged', () => {
    expect(
      render(`{{ name[n - 1:] }} {{ name[:-n] }} {{ name[0] }} {{ {'k': 'v'}['k'] }}`, {
        name: 'stg_x',
        n: 2,
      }),
    ).toBe('tg_x stg s v');
  });

  test('errors name the template line and what is wrong', () => {
    let error: unknown;
    try {
      render(`select 1\n{{ 'abc'[::0] }}`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      message: 'slice step cannot be zero',
      location: { file: 'models/s.sql', line: 2 },
    });
    expect(() => render(`{{ 'abc'[1:2:3:4] }}`)).toThrow(/at most three parts/);
    expect(() => render(`{{ 'abc'[] }}`)).toThrow(/expected an index/);
    expect(() => render(`{{ 5[1:] }}`, {})).toThrow(/only strings and lists can be sliced, not int/);
    expect(() => render(`{{ 'abc'['a':] }}`)).toThrow(/slice start must be a whole number or none, not a/);
  });
});

import { describe, expect, it } from 'vitest';
import { renderBuiltinTest } from '../../../src/compiler/builtinTests.js';
import { Relation } from '../../../src/compiler/relation.js';
import { builtinTestFiles } from '../../../src/parser/builtinMacros.js';
import { createBaseContext } from '../../../src/templating/baseContext.js';
import { createTemplateEngine } from '../../../src/templating/engine.js';

const engine = createTemplateEngine({
  macroFiles: builtinTestFiles([]),
  baseContext: createBaseContext({
    vars: {},
    env: {},
    target: {},
    invocationId: 'i',
    runStartedAt: new Date(0),
  }),
});
const model = new Relation('analytics', 'orders');
class Subquery {
  toString(): string {
    return '(select * from `analytics`.`orders` where id > 0) dbt_subquery';
  }
}
const where = new Subquery();

const CASES: Array<[string, Record<string, unknown>]> = [
  ['not_null', { model, column_name: 'id' }],
  ['not_null', { model: where, column_name: 'id' }],
  ['unique', { model, column_name: 'order_id' }],
  ['accepted_values', { model, column_name: 'status', values: ['placed', 'shipped'] }],
  ['accepted_values', { model, column_name: 'n', values: [1, 2, 3], quote: false }],
  [
    'relationships',
    { model, column_name: 'customer_id', to: new Relation('analytics', 'customers'), field: 'id' },
  ],
];

describe('built-in generic tests without the template engine', () => {
  it.each(CASES)('%s renders exactly as its test block does', (name, kwargs) => {
    const fast = renderBuiltinTest(name, kwargs);
    expect(fast).not.toBeNull();
    expect(fast).toBe(engine.renderGenericTest(name, kwargs, {}));
  });

  it('leaves unusual arguments to the engine', () => {
    expect(renderBuiltinTest('accepted_values', { model, column_name: 'c', values: [{ a: 1 }] })).toBeNull();
    expect(renderBuiltinTest('not_null', { model, column_name: 'c', extra: 1 })).toBeNull();
    expect(renderBuiltinTest('my_test', { model, column_name: 'c' })).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { CellValue } from '../../../src/adapters/types.js';
import { executorFor } from '../../../src/materialize/index.js';
import { context, dataTest, FakeAdapter, golden, transcriptOf } from './helpers.js';

const NOT_NULL = 'select id\nfrom `analytics`.`orders`\nwhere id is null';

/** A fake that answers the verdict query with one row. */
function answering(row: CellValue[]): FakeAdapter {
  return new FakeAdapter({ answer: (sql) => (sql.startsWith('select\n') ? { rows: [row] } : undefined) });
}

describe('data tests', () => {
  it('pass', async () => {
    const adapter = answering([0n, false, false]);
    const node = dataTest('not_null_orders_id', {}, { sql: NOT_NULL });
    const result = await transcriptOf(adapter, () => executorFor(node)(context(adapter, node)));
    expect(result.outcome).toMatchObject({ status: 'pass', message: 'PASS', failures: 0 });
    await expect(result.text).toMatchFileSnapshot(golden('test_pass'));
  });

  it('fail with error severity', async () => {
    const adapter = answering([3n, true, true]);
    const node = dataTest('not_null_orders_id', {}, { sql: NOT_NULL });
    expect(await executorFor(node)(context(adapter, node))).toMatchObject({
      status: 'fail',
      message: 'FAIL 3',
      failures: 3,
    });
  });

  it('warn severity turns failures into warnings', async () => {
    const adapter = answering([3, 'true', 'true']);
    const node = dataTest('not_null_orders_id', { severity: 'warn' }, { sql: NOT_NULL });
    expect(await executorFor(node)(context(adapter, node))).toMatchObject({
      status: 'warn',
      message: 'WARN 3',
    });
  });

  it('warn_if / error_if thresholds, limit, fail_calc', async () => {
    const adapter = answering(['12', true, false]);
    const node = dataTest(
      'unique_orders_id',
      { warn_if: '>10', error_if: '>100', limit: 500, fail_calc: 'sum(n_records)' },
      { sql: 'select id, count(*) as n_records from t group by id having count(*) > 1;' },
    );
    const result = await transcriptOf(adapter, () => executorFor(node)(context(adapter, node)));
    expect(result.outcome).toMatchObject({ status: 'warn', message: 'WARN 12', failures: 12 });
    await expect(result.text).toMatchFileSnapshot(golden('test_thresholds_limit'));
  });

  it('store_failures keeps the failing rows in the audit schema', async () => {
    const adapter = answering([2n, true, true]);
    const node = dataTest('not_null_orders_id', { store_failures: true }, { sql: NOT_NULL });
    const result = await transcriptOf(adapter, () => executorFor(node)(context(adapter, node)));
    expect(result.outcome).toMatchObject({ status: 'fail', failures: 2 });
    await expect(result.text).toMatchFileSnapshot(golden('test_store_failures'));
  });

  it('store_failures: a test node already in the audit schema gets no second suffix', async () => {
    const adapter = answering([2n, true, true]);
    const node = dataTest('not_null_orders_id', { store_failures: true }, { sql: NOT_NULL });
    node.schema = 'analytics_dbt_test__audit';
    await executorFor(node)(context(adapter, node));
    expect(adapter.log).toContain('DROP TABLE IF EXISTS `analytics_dbt_test__audit`.`not_null_orders_id`');
    expect(adapter.log.join('\n')).not.toContain('__audit_dbt_test__audit');
  });

  it('rejects a malformed condition', async () => {
    const node = dataTest('t', { warn_if: 'drop table x' }, { sql: NOT_NULL });
    await expect(executorFor(node)(context(new FakeAdapter(), node))).rejects.toThrow(
      /warn_if must be a comparison/,
    );
  });
});

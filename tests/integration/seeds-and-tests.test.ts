// Seeds, data tests, `qdbt source freshness` and `qdbt show`, driven through the real CLI on genuine
// Hive (127.0.0.1:10000) and on Spark Thrift Server (127.0.0.1:10010), checked by reading the rows
// back. One `qdbt build` per engine carries every seed and test scenario. Schemas:
// qdbt_it_mat_seeds_<engine> and its _dbt_test__audit schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, type Adapter } from '../../src/adapters/index.js';
import { writeFixture } from '../helpers/fixtureProject.js';

import {
  type Engine,
  ENGINES,
  up,
  target,
  profiles,
  qdbt,
  plain,
  byCells,
  statuses,
} from '../helpers/engines.js';

const PEOPLE = [
  'id,code,name,city,score,active,born,seen_at,note',
  '1,007,"Smith, Jane",Zürich,1.50,true,1990-01-31,2024-05-01 10:00:00,"she said ""hi"""',
  '2,042,Ōno,東京,2.25,false,1985-12-01,2024-05-02 11:30:15,',
  '3,100,Émile 🙂,,,TRUE,,,"two',
  'lines"',
  '',
].join('\n');

function files(engine: Engine, schema: string): Record<string, string> {
  return {
    'profiles.yml': profiles(engine, schema),
    'seeds/people.csv': PEOPLE,
    'seeds/codes.csv': 'code,amount\n1,5\n2,7.5\n',
    'seeds/properties.yml': [
      'version: 2',
      'seeds:',
      '  - name: codes',
      '    config:',
      "      column_types: {code: string, amount: 'decimal(10,2)'}",
      '',
    ].join('\n'),
    'models/customers.sql': `{{ config(materialized='view') }}
select cast(id as int) as id, name, case when id = 3 then 'unknown' else 'active' end as status
from {{ ref('people') }}
`,
    'models/orders.sql': `{{ config(materialized='view') }}
select 1 as order_id, 1 as customer_id, 10 as amount, 'x' as note
union all select 2, 2, 20, cast(null as string)
union all select 3, 999, 30, cast(null as string)
union all select 4, 2, -5, cast(null as string)
`,
    'models/fresh_now.sql': `{{ config(materialized='view') }}
select current_timestamp() as seen_at
`,
    'models/fresh_hours.sql': `{{ config(materialized='view') }}
select current_timestamp() - interval '3' hour as seen_at
`,
    'tests/generic/is_positive.sql': `{% test is_positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %}
`,
    'tests/assert_small_orders.sql': `select * from {{ ref('orders') }} where amount > 1000
`,
    'models/schema.yml': [
      'version: 2',
      'models:',
      '  - name: customers',
      '    columns:',
      '      - name: id',
      '        data_tests: [not_null, unique]',
      '      - name: status',
      '        data_tests:',
      '          - accepted_values:',
      "              values: ['active']",
      '              config: {severity: warn, store_failures: true}',
      '  - name: orders',
      '    columns:',
      '      - name: customer_id',
      '        data_tests:',
      '          - relationships:',
      "              to: ref('customers')",
      '              field: id',
      '          - relationships:',
      '              name: orders_customer_known',
      "              to: ref('customers')",
      '              field: id',
      "              config: {where: 'customer_id < 100'}",
      '      - name: note',
      '        data_tests:',
      '          - not_null:',
      "              config: {warn_if: '>1', error_if: '>5'}",
      '          - not_null:',
      '              name: orders_note_limited',
      '              config: {limit: 2}',
      '      - name: amount',
      '        data_tests: [is_positive]',
      '',
    ].join('\n'),
    'models/sources.yml': [
      'version: 2',
      'sources:',
      '  - name: raw',
      `    schema: ${schema}`,
      '    loaded_at_field: seen_at',
      '    freshness:',
      '      warn_after: {count: 1, period: hour}',
      '      error_after: {count: 2, period: day}',
      '    tables:',
      '      - name: people',
      '      - name: fresh_now',
      '      - name: fresh_hours',
      '',
    ].join('\n'),
  };
}

describe.each(ENGINES)('seeds, data tests, freshness and show on $name', (engine) => {
  const schema = `qdbt_it_mat_seeds_${engine.name}`;
  const audit = `${schema}_dbt_test__audit`;
  let adapter: Adapter;
  let fixture: { dir: string; cleanup: () => void };

  async function rows(sql: string): Promise<unknown[][]> {
    const table = /\bfrom (\w+\.\w+)/i.exec(sql)?.[1];
    if (engine.name === 'spark' && table) await adapter.execute(`refresh table ${table}`);
    const result = await adapter.execute(sql);
    return result.rows.map((r) => r.map(plain)).sort(byCells);
  }

  beforeAll(async () => {
    adapter = await createAdapter(target(engine, schema), { threads: 1 });
    for (const db of [schema, audit]) await adapter.execute(`drop database if exists ${db} cascade`);
    fixture = writeFixture(files(engine, schema));
  });

  afterAll(async () => {
    for (const db of [schema, audit])
      await adapter?.execute(`drop database if exists ${db} cascade`).catch(() => undefined);
    await adapter?.close();
    fixture?.cleanup();
  });

  it.skipIf(!up[engine.name])('build: seeds typed and quoted, every kind of data test judged', async () => {
    const result = await qdbt(fixture.dir, ['build']);
    console.log(`[${engine.name}] seeds+tests build: ${result.ms} ms, exit ${result.code}`);
    const s = statuses(fixture.dir);
    const summary = JSON.stringify(s, null, 1);
    expect(result.code, summary).toBe(1);

    // seeds: inferred types, column_types, quoting, empty as NULL, UTF-8
    expect(s['people']?.status, summary).toBe('success');
    expect(s['codes']?.status, summary).toBe('success');
    const people = (await adapter.describeRelation(schema, 'people'))!;
    expect(Object.fromEntries(people.columns!.map((c) => [c.name, c.type]))).toEqual({
      id: 'bigint',
      code: 'string',
      name: 'string',
      city: 'string',
      score: 'decimal(3,2)',
      active: 'boolean',
      born: 'date',
      seen_at: 'timestamp',
      note: 'string',
    });
    const got = await rows(
      `select id, code, name, city, score, active, born, seen_at, note from ${schema}.people`,
    );
    expect(got.map((r) => r.map((v) => (typeof v === 'string' ? v.replace(/\.0+$/, '') : v)))).toEqual([
      [1, '007', 'Smith, Jane', 'Zürich', 1.5, true, '1990-01-31', '2024-05-01 10:00:00', 'she said "hi"'],
      [2, '042', 'Ōno', '東京', 2.25, false, '1985-12-01', '2024-05-02 11:30:15', null],
      [3, '100', 'Émile 🙂', null, null, true, null, null, 'two\nlines'],
    ]);
    const codes = (await adapter.describeRelation(schema, 'codes'))!;
    expect(codes.columns!.map((c) => c.type)).toEqual(['string', 'decimal(10,2)']);
    expect(await rows(`select code, amount from ${schema}.codes`)).toEqual([
      ['1', 5],
      ['2', 7.5],
    ]);

    // data tests
    const test = (prefix: string) => {
      const key = Object.keys(s).find((k) => k.startsWith(prefix));
      expect(key, `${prefix} in ${summary}`).toBeDefined();
      return s[key!]!;
    };
    expect(test('not_null_customers_id').status).toBe('pass');
    expect(test('unique_customers_id').status).toBe('pass');
    expect(test('accepted_values_customers_status').status).toBe('warn');
    expect(test('relationships_orders_customer_id').status).toBe('fail');
    expect(test('orders_customer_known').status).toBe('pass');
    expect(test('not_null_orders_note').status).toBe('warn');
    expect(test('orders_note_limited').status).toBe('fail');
    expect(test('is_positive_orders_amount').status).toBe('fail');
    expect(test('assert_small_orders').status).toBe('pass');
    const results = JSON.parse(readFileSync(join(fixture.dir, 'target', 'run_results.json'), 'utf8')) as {
      results: Array<{ unique_id: string; failures: number | null }>;
    };
    const failures = Object.fromEntries(results.results.map((r) => [r.unique_id.split('.')[2], r.failures]));
    const failuresOf = (prefix: string) => failures[Object.keys(failures).find((k) => k.startsWith(prefix))!];
    expect(failuresOf('not_null_orders_note')).toBe(3);
    expect(failuresOf('orders_note_limited')).toBe(2);
    expect(failuresOf('relationships_orders_customer_id')).toBe(1);
    expect(result.stderr).toMatch(/WARN 1 accepted_values_customers_status/);
    // store_failures: the failing rows in the audit schema
    const stored = (await rows(`show tables in ${audit}`)).map((r) => String(r[r.length === 1 ? 0 : 1]));
    expect(stored.length).toBe(1);
    expect(JSON.stringify(await rows(`select * from ${audit}.${stored[0]}`))).toContain('unknown');
  });

  it.skipIf(!up[engine.name])('source freshness: pass, warn and error against the server clock', async () => {
    const result = await qdbt(fixture.dir, ['source', 'freshness']);
    const sources = JSON.parse(readFileSync(join(fixture.dir, 'target', 'sources.json'), 'utf8')) as {
      results: Array<{ unique_id: string; status: string }>;
    };
    const byName = Object.fromEntries(sources.results.map((r) => [r.unique_id.split('.').pop(), r.status]));
    expect(byName, result.stderr).toEqual({ people: 'error', fresh_now: 'pass', fresh_hours: 'warn' });
    expect(result.code).toBe(1);
  });

  it.skipIf(!up[engine.name])('show: a model and inline SQL with ref()', async () => {
    const model = await qdbt(fixture.dir, [
      'show',
      '--select',
      'customers',
      '--limit',
      '5',
      '--output',
      'json',
    ]);
    expect(model.code, model.stderr).toBe(0);
    const shown = JSON.parse(model.stdout.slice(model.stdout.indexOf('{'))) as {
      show: Array<Record<string, unknown>>;
    };
    expect(shown.show.map((r) => [Number(r.id), r.status]).sort()).toEqual([
      [1, 'active'],
      [2, 'active'],
      [3, 'unknown'],
    ]);
    const inline = await qdbt(fixture.dir, [
      'show',
      '--inline',
      "select name from {{ ref('customers') }} where id = 2",
    ]);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stdout + inline.stderr).toContain('Ōno');
  });
});

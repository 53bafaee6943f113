// Every materialization, strategy and table config, built by the real CLI (`node bin/qdbt.js`) on
// genuine Hive (127.0.0.1:10000) and on Spark Thrift Server (127.0.0.1:10010), checked by reading
// the rows back. One fixture project per engine, run in three phases (`--vars '{phase: N}'`) so
// many scenarios share few builds: phase 1 creates everything, phase 2 runs the incremental
// models incrementally (new rows, changed columns, a backfill partition, a failing rebuild),
// phase 3 a --full-refresh. Schemas: qdbt_it_mat_<engine>.
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

const EPHEMERAL = `{{ config(materialized='ephemeral') }}
select cast(id as int) as id, cast(ds as string) as ds, cast(amount as double) * {{ var('phase', 1) }} as amount, name
from {{ ref('events') }}
{% if var('phase', 1) | int >= 2 %}
union all select 4, '2024-01-02', 40.0 * {{ var('phase', 1) }}, 'delta'
union all select 5, '2024-01-03', 50.0 * {{ var('phase', 1) }}, 'epsilon'
{% endif %}
`;

function oscModel(mode: string): string {
  return `{{ config(materialized='incremental', on_schema_change='${mode}') }}
select id, name
{% if var('phase', 1) | int >= 2 %}, amount as extra{% else %}, ds{% endif %}
from {{ ref('eph_events') }}
{% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}
`;
}

function files(engine: Engine, schema: string): Record<string, string> {
  return {
    'profiles.yml': profiles(engine, schema),
    'project.yml': [
      'name: fixture',
      "version: '1.0'",
      'profile: fixture',
      'on-run-start:',
      "  - 'create database if not exists {{ target.schema }}'",
      "  - 'create table if not exists {{ target.schema }}.run_start_marker (x int)'",
      'on-run-end:',
      '  - \'create table if not exists {{ target.schema }}.run_end_{{ var("phase", 1) }} (x int)\'',
      '',
    ].join('\n'),
    'macros/generate_schema_name.sql': `{% macro generate_schema_name(custom_schema_name, node) -%}
{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ target.schema }}_gs_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
`,
    'seeds/events.csv':
      'id,ds,amount,name\n1,2024-01-01,10.5,alpha\n2,2024-01-01,20,beta\n3,2024-01-02,30,gamma\n',
    'models/eph_events.sql': EPHEMERAL,
    'models/v_events.sql': `{{ config(materialized='view', persist_docs={'relation': true, 'columns': true}) }}
select id, name from {{ ref('eph_events') }}
`,
    'models/gs_view.sql': `{{ config(materialized='view', schema='other') }}
select name from {{ ref('events') }} where id = 1
`,
    'models/t_parquet.sql': `{{ config(
  materialized='table', file_format='parquet', partition_by=['ds'],
  tblproperties={'qdbt.it': 'yes'}, comment='events by day',
  pre_hook="create table if not exists {{ target.schema }}.pre_hook_marker (x int)",
  post_hook="alter table {{ this }} set tblproperties ('qdbt.post_hook'='ran')",
  compute_stats=true) }}
select id, name, amount, ds from {{ ref('eph_events') }}
`,
    'models/t_orc.sql': `{{ config(materialized='table', file_format='orc', clustered_by=['id'], buckets=2) }}
select id, name from {{ ref('eph_events') }}
`,
    'models/t_text.sql': `{{ config(materialized='table', file_format='textfile') }}
select id, name, amount from {{ ref('eph_events') }}
`,
    'models/t_avro.sql': `{{ config(materialized='table', file_format='avro') }}
select id, name from {{ ref('eph_events') }}
`,
    'models/t_loc.sql': `{{ config(materialized='table', location='/tmp/qdbt_it/${schema}/t_loc') }}
select id, amount from {{ ref('eph_events') }}
`,
    'models/t_atomic.sql': `{{ config(materialized='table') }}
select id, name from {{ ref('eph_events') }}
{% if var('phase', 1) | int == 2 %} where assert_true(id < 2) is null {% endif %}
`,
    'models/inc_append.sql': `{{ config(materialized='incremental', incremental_strategy='append') }}
select id, name from {{ ref('eph_events') }}
{% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}
`,
    'models/inc_overwrite.sql': `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by=['ds']) }}
select id, amount, ds from {{ ref('eph_events') }}
{% if is_incremental() %} where ds >= '2024-01-02' {% endif %}
`,
    'models/inc_static.sql': `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by=['day']) }}
select id, amount, ds as day from {{ ref('eph_events') }}
`,
    'models/inc_static_cfg.sql': `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by=['ds'],
  partition={'ds': '2024-01-03'}) }}
select id, amount, ds from {{ ref('eph_events') }}
`,
    'models/inc_merge.sql': `{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id',
  file_format='orc', tblproperties={'transactional': 'true'}) }}
select id, name, amount from {{ ref('eph_events') }}
`,
    'models/inc_merge_plain.sql': `{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id') }}
select id, name from {{ ref('eph_events') }}
`,
    'models/osc_ignore.sql': oscModel('ignore'),
    'models/osc_fail.sql': oscModel('fail'),
    'models/osc_append.sql': oscModel('append_new_columns'),
    'models/osc_sync.sql': oscModel('sync_all_columns'),
    'models/schema.yml': [
      'version: 2',
      'models:',
      '  - name: v_events',
      '    description: the events as a view',
      '    columns:',
      '      - name: id',
      '        description: event id',
      '  - name: t_parquet',
      '    config:',
      '      persist_docs: {relation: true, columns: true}',
      '    columns:',
      '      - name: name',
      '        description: who',
      '',
    ].join('\n'),
  };
}

describe.each(ENGINES)('materializations on $name', (engine) => {
  const hive = engine.name === 'hive';
  const schema = `qdbt_it_mat_${engine.name}`;
  const other = `${schema}_gs_other`;
  let adapter: Adapter;
  let fixture: { dir: string; cleanup: () => void };

  async function rows(sql: string): Promise<unknown[][]> {
    // Spark caches a table's file listing per session: after the CLI swapped a table, refresh it.
    const table = /\bfrom (\w+\.\w+)/i.exec(sql)?.[1];
    if (!hive && table && !/^show|^describe/i.test(sql)) await adapter.execute(`refresh table ${table}`);
    const result = await adapter.execute(sql);
    return result.rows.map((r) => r.map(plain)).sort(byCells);
  }
  async function columns(name: string): Promise<string[]> {
    adapter.invalidate(schema, name);
    const info = await adapter.describeRelation(schema, name);
    return [...(info?.columns ?? []), ...(info?.partitionColumns ?? [])].map((c) => c.name.toLowerCase());
  }
  async function tables(): Promise<string[]> {
    return (await rows(`show tables in ${schema}`)).map((r) => String(r[r.length === 1 ? 0 : 1])).sort();
  }

  beforeAll(async () => {
    adapter = await createAdapter(target(engine, schema), { threads: 1 });
    for (const db of [schema, other]) await adapter.execute(`drop database if exists ${db} cascade`);
    fixture = writeFixture(files(engine, schema));
  });

  afterAll(async () => {
    for (const db of [schema, other])
      await adapter?.execute(`drop database if exists ${db} cascade`).catch(() => undefined);
    await adapter?.close();
    fixture?.cleanup();
  });

  it.skipIf(!up[engine.name])('phase 1: builds every materialization and config', async () => {
    const result = await qdbt(fixture.dir, ['build', '--vars', '{phase: 1}']);
    console.log(`[${engine.name}] phase 1 build: ${result.ms} ms, exit ${result.code}`);
    const s = statuses(fixture.dir);
    const failed = Object.entries(s).filter(([, v]) => v.status !== 'success' && v.status !== 'pass');
    // merge needs ACID: Hive refuses a non-transactional target, Spark refuses merge altogether.
    const expectedFailures = hive ? ['inc_merge_plain'] : ['inc_merge', 'inc_merge_plain'];
    expect(failed.map(([k]) => k).sort(), JSON.stringify(failed, null, 1)).toEqual(expectedFailures);
    expect(result.code).toBe(1);
    if (hive) {
      expect(s['inc_merge_plain']!.message).toMatch(/needs an ACID \(transactional\) or Iceberg table/);
    } else {
      expect(s['inc_merge']!.message).toMatch(
        /needs MERGE INTO, which Spark Thrift Server .* does not support/,
      );
    }

    // view, ephemeral, generate_schema_name
    expect(await rows(`select id, name from ${schema}.v_events`)).toEqual([
      [1, 'alpha'],
      [2, 'beta'],
      [3, 'gamma'],
    ]);
    const all = await tables();
    expect(all).not.toContain('eph_events');
    expect(all.filter((t) => t.includes('__qdbt_'))).toEqual([]);
    expect(await rows(`select name from ${other}.gs_view`)).toEqual([['alpha']]);

    // table configs
    expect(await rows(`select id, name, amount, ds from ${schema}.t_parquet`)).toEqual([
      [1, 'alpha', 10.5, '2024-01-01'],
      [2, 'beta', 20, '2024-01-01'],
      [3, 'gamma', 30, '2024-01-02'],
    ]);
    const parquet = (await adapter.describeRelation(schema, 't_parquet'))!;
    expect(parquet.partitionColumns?.map((c) => c.name)).toEqual(['ds']);
    expect(parquet.fileFormat ?? '').toMatch(/parquet/i);
    expect(parquet.tableProperties).toMatchObject({ 'qdbt.it': 'yes', 'qdbt.post_hook': 'ran' });
    expect(JSON.stringify(await rows(`describe formatted ${schema}.t_parquet`))).toContain('events by day');
    expect(parquet.columns?.find((c) => c.name === 'name')?.comment).toBe('who');
    expect(all).toEqual(expect.arrayContaining(['pre_hook_marker', 'run_start_marker', 'run_end_1']));

    // compute_stats: ANALYZE ran on each partition
    const stats = JSON.stringify(
      await rows(`describe formatted ${schema}.t_parquet partition (ds='2024-01-01')`),
    );
    expect(stats).toMatch(/numRows[^0-9]*2\b|\b2 rows/);
    // persist_docs on a view: relation and column comments
    const viewDocs = JSON.stringify(await rows(`describe formatted ${schema}.v_events`));
    expect(viewDocs).toContain('the events as a view');
    expect(viewDocs).toContain('event id');

    const orc = (await adapter.describeRelation(schema, 't_orc'))!;
    expect(orc.fileFormat ?? '').toMatch(/orc/i);
    expect(await rows(`select id from ${schema}.t_orc`)).toEqual([[1], [2], [3]]);
    const desc = await rows(`describe formatted ${schema}.t_orc`);
    expect(JSON.stringify(desc)).toMatch(/Num Buckets[^0-9]*2/i);

    const text = (await adapter.describeRelation(schema, 't_text'))!;
    expect(text.fileFormat ?? '').toMatch(/text/i);
    expect(await rows(`select id, name, amount from ${schema}.t_text`)).toEqual([
      [1, 'alpha', 10.5],
      [2, 'beta', 20],
      [3, 'gamma', 30],
    ]);
    const avro = (await adapter.describeRelation(schema, 't_avro'))!;
    expect(avro.fileFormat ?? '').toMatch(/avro/i);
    expect(await rows(`select id, name from ${schema}.t_avro`)).toEqual([
      [1, 'alpha'],
      [2, 'beta'],
      [3, 'gamma'],
    ]);
    const loc = (await adapter.describeRelation(schema, 't_loc'))!;
    expect(loc.location).toContain(`/tmp/qdbt_it/${schema}/t_loc`);
    expect(await rows(`select amount from ${schema}.t_loc`)).toEqual([[10.5], [20], [30]]);
    expect(await rows(`select id from ${schema}.t_atomic`)).toEqual([[1], [2], [3]]);

    for (const m of ['inc_append', 'osc_ignore', 'osc_fail', 'osc_append', 'osc_sync'])
      expect((await rows(`select id from ${schema}.${m}`)).length, m).toBe(3);
    if (hive) {
      const merge = (await adapter.describeRelation(schema, 'inc_merge'))!;
      expect(merge.transactional).toBe(true);
    }
  });

  it.skipIf(!up[engine.name])(
    'phase 2: incremental runs, schema changes, backfill, atomic failure',
    async () => {
      const result = await qdbt(fixture.dir, [
        'run',
        '--vars',
        '{phase: 2, partition: {day: "2024-01-02"}}',
        '--exclude',
        'gs_view',
        'v_events',
        't_orc',
        't_text',
        't_avro',
      ]);
      console.log(`[${engine.name}] phase 2 run: ${result.ms} ms, exit ${result.code}`);
      const s = statuses(fixture.dir);
      expect(result.code).toBe(1);
      expect(s['t_atomic']!.status, JSON.stringify(s, null, 1)).toBe('error');
      expect(s['t_atomic']!.message).toMatch(/assert|Hive Runtime Error|is not true/i);
      expect(s['osc_fail']!.status).toBe('error');
      expect(s['osc_fail']!.message).toMatch(/on_schema_change is 'fail'/);
      for (const m of [
        'inc_append',
        'inc_overwrite',
        'inc_static',
        'inc_static_cfg',
        'osc_ignore',
        'osc_append',
        'osc_sync',
        't_loc',
        't_parquet',
      ])
        expect(s[m]?.status, `${m}: ${s[m]?.message}`).toBe('success');
      expect(s['inc_merge']!.status).toBe(hive ? 'success' : 'error');

      // atomic: the failed rebuild left the previous table whole, and nothing half-built beside it
      expect(await rows(`select id, name from ${schema}.t_atomic`)).toEqual([
        [1, 'alpha'],
        [2, 'beta'],
        [3, 'gamma'],
      ]);
      // append with is_incremental() and {{ this }}
      expect(await rows(`select id from ${schema}.inc_append`)).toEqual([[1], [2], [3], [4], [5]]);
      // insert_overwrite: 2024-01-01 untouched (old amounts), 2024-01-02 replaced, 2024-01-03 new
      expect(await rows(`select ds, id, amount from ${schema}.inc_overwrite`)).toEqual([
        ['2024-01-01', 1, 10.5],
        ['2024-01-01', 2, 20],
        ['2024-01-02', 3, 60],
        ['2024-01-02', 4, 80],
        ['2024-01-03', 5, 100],
      ]);
      // static partition from --vars: only day=2024-01-02 written
      expect(await rows(`select day, id, amount from ${schema}.inc_static`)).toEqual([
        ['2024-01-01', 1, 10.5],
        ['2024-01-01', 2, 20],
        ['2024-01-02', 3, 60],
        ['2024-01-02', 4, 80],
      ]);
      // static partition from the `partition` config: only ds=2024-01-03 written
      expect(await rows(`select ds, id, amount from ${schema}.inc_static_cfg`)).toEqual([
        ['2024-01-01', 1, 10.5],
        ['2024-01-01', 2, 20],
        ['2024-01-02', 3, 30],
        ['2024-01-03', 5, 100],
      ]);
      if (hive) {
        expect(await rows(`select id, name, amount from ${schema}.inc_merge`)).toEqual([
          [1, 'alpha', 21],
          [2, 'beta', 40],
          [3, 'gamma', 60],
          [4, 'delta', 80],
          [5, 'epsilon', 100],
        ]);
      }
      // on_schema_change
      expect(await columns('osc_ignore')).toEqual(['id', 'name', 'ds']);
      expect(await rows(`select id, ds from ${schema}.osc_ignore`)).toEqual([
        [1, '2024-01-01'],
        [2, '2024-01-01'],
        [3, '2024-01-02'],
        [4, null],
        [5, null],
      ]);
      expect(await columns('osc_fail')).toEqual(['id', 'name', 'ds']);
      expect((await rows(`select id from ${schema}.osc_fail`)).length).toBe(3);
      expect(await columns('osc_append')).toEqual(['id', 'name', 'ds', 'extra']);
      expect(await rows(`select id, ds, extra from ${schema}.osc_append`)).toEqual([
        [1, '2024-01-01', null],
        [2, '2024-01-01', null],
        [3, '2024-01-02', null],
        [4, null, 80],
        [5, null, 100],
      ]);
      expect(await columns('osc_sync')).toEqual(['id', 'name', 'extra']);
      expect(await rows(`select id, extra from ${schema}.osc_sync`)).toEqual([
        [1, null],
        [2, null],
        [3, null],
        [4, 80],
        [5, 100],
      ]);
      // a table at a fixed location, rebuilt in place
      expect(await rows(`select amount from ${schema}.t_loc`)).toEqual([[21], [40], [60], [80], [100]]);
      const all = await tables();
      expect(all).toContain('run_end_2');
      expect(all.filter((t) => t.includes('__qdbt_'))).toEqual([]);
    },
  );

  it.skipIf(!up[engine.name])('phase 3: --full-refresh rebuilds incremental models', async () => {
    const result = await qdbt(fixture.dir, [
      'run',
      '--full-refresh',
      '--vars',
      '{phase: 1}',
      '--select',
      'inc_append',
      'osc_sync',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await rows(`select id from ${schema}.inc_append`)).toEqual([[1], [2], [3]]);
    expect(await columns('osc_sync')).toEqual(['id', 'name', 'ds']);
  });
});

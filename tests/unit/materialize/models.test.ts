import { describe, expect, it } from 'vitest';
import type { RelationInfo } from '../../../src/adapters/types.js';
import { QdbtError } from '../../../src/errors.js';
import { executorFor, runModel } from '../../../src/materialize/index.js';
import type { NodeRunContext } from '../../../src/materialize/types.js';
import {
  col,
  context,
  FakeAdapter,
  golden,
  HIVE,
  model,
  SPARK,
  table,
  transcriptOf,
  view,
  type FakeOptions,
} from './helpers.js';

const SRC_COLUMNS = [col('id', 'bigint'), col('amount', 'decimal(12,2)'), col('ds', 'string')];
const src = (name = 'orders', columns = SRC_COLUMNS): RelationInfo =>
  view('analytics', `${name}__qdbt_src`, columns);
const existingTable = (extra: Partial<RelationInfo> = {}): RelationInfo =>
  table('analytics', 'orders', [col('id', 'bigint'), col('amount', 'decimal(12,2)')], {
    partitionColumns: [col('ds')],
    ...extra,
  });
const flatTable = (extra: Partial<RelationInfo> = {}): RelationInfo =>
  table('analytics', 'orders', SRC_COLUMNS, extra);

interface Scenario {
  node: ReturnType<typeof model>;
  fake?: FakeOptions;
  ctx?: Partial<Pick<NodeRunContext, 'fullRefresh' | 'vars'>> & { incrementalSql?: string };
  /** Expect the run to throw (the error is in the golden file too). */
  error?: RegExp;
}

const insertRows = (n: number) => (sql: string) =>
  /^(INSERT|MERGE)/.test(sql) ? { rowsAffected: n } : undefined;

const SCENARIOS: Record<string, Scenario> = {
  // --- view -------------------------------------------------------------------------------------
  view_new: { node: model('orders'), fake: { relations: [] } },
  view_replacing_table: { node: model('orders'), fake: { relations: [flatTable()] } },
  view_persist_docs: {
    node: model(
      'orders',
      { persist_docs: { relation: true, columns: true } },
      {
        description: "Orders, one row each; it's 'clean'",
        columns: { id: 'Order id', amount: 'Total\nin EUR' },
      },
    ),
    fake: { relations: [view('analytics', 'orders', SRC_COLUMNS)] },
  },
  ephemeral: { node: model('orders', { materialized: 'ephemeral' }) },

  // --- table ------------------------------------------------------------------------------------
  table_new: {
    node: model('orders', { materialized: 'table' }),
    fake: { relations: [src()], answer: insertRows(1200) },
  },
  table_swap: { node: model('orders', { materialized: 'table' }), fake: { relations: [src(), flatTable()] } },
  table_replacing_view: {
    node: model('orders', { materialized: 'table' }),
    fake: { relations: [src(), view('analytics', 'orders', SRC_COLUMNS)] },
  },
  table_all_configs: {
    node: model(
      'orders',
      {
        materialized: 'table',
        file_format: 'orc',
        partition_by: ['ds'],
        clustered_by: 'id',
        sorted_by: ['id'],
        buckets: 4,
        tblproperties: { 'orc.compress': 'ZSTD', transactional: 'true' },
        persist_docs: { relation: true, columns: true },
        compute_stats: 'columns',
      },
      { description: 'All orders', columns: { id: 'Order id', ds: 'Load day' } },
    ),
    fake: { relations: [src(), existingTable()] },
  },
  table_formats_textfile_avro: {
    node: model('orders', { materialized: 'table', file_format: 'avro', comment: 'explicit comment' }),
    fake: { relations: [src()] },
  },
  table_location_existing: {
    node: model('orders', { materialized: 'table', location: '/data/lake/orders', partition_by: 'ds' }),
    fake: { relations: [src(), existingTable({ external: true, location: 'hdfs://nn/data/lake/orders' })] },
  },
  table_hooks: {
    node: model('orders', {
      materialized: 'table',
      'pre-hook': ["SET hive.exec.compress.output=true; SET x='a;b'"],
      'post-hook': [
        'GRANT SELECT ON TABLE {{ this }} TO ROLE analysts',
        { sql: 'MSCK REPAIR TABLE {{ this }};', transaction: true },
      ],
      compute_stats: true,
    }),
    fake: { relations: [src()] },
  },
  table_build_fails_old_table_untouched: {
    node: model('orders', { materialized: 'table' }),
    fake: { relations: [src(), flatTable()], failOn: /^INSERT OVERWRITE/ },
    error: /FAILED: INSERT OVERWRITE/,
  },
  table_swap_fails_old_table_restored: {
    node: model('orders', { materialized: 'table' }),
    fake: { relations: [src(), flatTable()], failOn: /RENAME TO `analytics`\.`orders`$/ },
    error: /FAILED: ALTER TABLE/,
  },
  table_rename_aside_fails_replaced_without_backup: {
    node: model('orders', { materialized: 'table', partition_by: 'ds' }),
    fake: { relations: [src(), existingTable()], failOn: /RENAME TO `analytics`\.`orders__qdbt_backup`$/ },
  },
  table_spark_same_statements: {
    node: model('orders', { materialized: 'table', compute_stats: true }),
    fake: { capabilities: SPARK, relations: [src(), flatTable()] },
  },
  table_without_rename_or_analyze: {
    node: model('orders', { materialized: 'table', compute_stats: true }),
    fake: {
      capabilities: { ...HIVE, engine: 'unknown', supportsRenameTable: false, supportsAnalyze: false },
      relations: [src(), flatTable()],
    },
  },
  table_spark_refuses_acid_existing: {
    node: model('orders', { materialized: 'table' }),
    fake: { capabilities: SPARK, relations: [src(), flatTable({ transactional: true })] },
    error: /transactional/,
  },
  table_spark_refuses_acid_config: {
    node: model('orders', {
      materialized: 'table',
      file_format: 'orc',
      tblproperties: { transactional: 'true' },
    }),
    fake: { capabilities: SPARK, relations: [src()] },
    error: /transactional/,
  },
  table_partition_column_missing: {
    node: model('orders', { materialized: 'table', partition_by: 'day' }),
    fake: { relations: [src()] },
    error: /partition_by column 'day'/,
  },
  table_bad_file_format: {
    node: model('orders', { materialized: 'table', file_format: 'delta' }),
    error: /file_format 'delta'/,
  },
  unknown_materialization: {
    node: model('orders', { materialized: 'snapshot_table' }),
    error: /unknown materialization/,
  },

  // --- incremental ------------------------------------------------------------------------------
  incremental_first_run: {
    node: model('orders', { materialized: 'incremental', partition_by: 'ds' }),
    fake: { relations: [src()], answer: insertRows(500) },
  },
  incremental_full_refresh: {
    node: model('orders', { materialized: 'incremental', partition_by: 'ds' }),
    fake: { relations: [src(), existingTable()] },
    ctx: { fullRefresh: true },
  },
  incremental_full_refresh_disabled_by_config: {
    node: model('orders', { materialized: 'incremental', partition_by: 'ds', full_refresh: false }),
    fake: { relations: [src(), existingTable()], answer: insertRows(7) },
    ctx: { fullRefresh: true },
  },
  incremental_append: {
    node: model('orders', { materialized: 'incremental' }),
    fake: { relations: [src(), flatTable()], answer: insertRows(42) },
  },
  incremental_append_partitioned: {
    node: model('orders', { materialized: 'incremental', partition_by: 'ds' }),
    fake: { relations: [src(), existingTable()] },
  },
  incremental_insert_overwrite_dynamic: {
    node: model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'insert_overwrite',
      partition_by: 'ds',
      compute_stats: true,
    }),
    fake: {
      relations: [src(), existingTable()],
      answer: (sql) =>
        sql.startsWith('SELECT DISTINCT')
          ? { rows: [['2024-01-02'], ['2024-01-03']] }
          : sql.startsWith('INSERT')
            ? { rowsAffected: 300 }
            : undefined,
    },
  },
  incremental_insert_overwrite_static_config: {
    node: model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'insert_overwrite',
      partition_by: 'ds',
      partition: { ds: '2024-01-01' },
      compute_stats: true,
    }),
    fake: { relations: [src(), existingTable()] },
  },
  incremental_insert_overwrite_static_vars_mixed: {
    node: model('events', {
      materialized: 'incremental',
      incremental_strategy: 'insert_overwrite',
      partition_by: ['ds', 'hr'],
    }),
    fake: {
      relations: [
        view('analytics', 'events__qdbt_src', [col('id', 'bigint'), col('ds'), col('hr', 'int')]),
        table('analytics', 'events', [col('id', 'bigint')], {
          partitionColumns: [col('ds'), col('hr', 'int')],
        }),
      ],
    },
    ctx: { vars: { partition: { ds: '2024-01-01' } } },
  },
  incremental_insert_overwrite_needs_partition_by: {
    node: model('orders', { materialized: 'incremental', incremental_strategy: 'insert_overwrite' }),
    error: /needs partition_by/,
  },
  incremental_static_partition_not_leading: {
    node: model('events', {
      materialized: 'incremental',
      incremental_strategy: 'insert_overwrite',
      partition_by: ['ds', 'hr'],
      partition: { hr: 3 },
    }),
    error: /leading part/,
  },
  incremental_partitioning_changed: {
    node: model('orders', { materialized: 'incremental', partition_by: 'amount' }),
    fake: { relations: [src(), existingTable()] },
    error: /differs from the table's partitions/,
  },
  incremental_merge_hive_acid: {
    node: model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'merge',
      unique_key: 'id',
      file_format: 'orc',
      tblproperties: { transactional: 'true' },
      partition_by: 'ds',
    }),
    fake: { relations: [src(), existingTable({ transactional: true })], answer: insertRows(12) },
  },
  incremental_merge_composite_key_no_partitions: {
    node: model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'merge',
      unique_key: ['id', 'ds'],
      transactional: true,
      file_format: 'orc',
    }),
    fake: { relations: [src(), flatTable({ transactional: true })] },
  },
  incremental_merge_first_run_builds_acid: {
    node: model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'merge',
      unique_key: 'id',
      file_format: 'orc',
      tblproperties: { transactional: 'true' },
    }),
    fake: { relations: [src()] },
  },
  incremental_merge_existing_not_acid: {
    node: model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'merge',
      unique_key: 'id',
      file_format: 'orc',
      tblproperties: { transactional: 'true' },
    }),
    fake: { relations: [src(), flatTable()] },
    error: /not transactional/,
  },
  incremental_merge_config_not_acid: {
    node: model('orders', { materialized: 'incremental', incremental_strategy: 'merge', unique_key: 'id' }),
    error: /needs an ACID/,
  },
  incremental_merge_on_spark: {
    node: model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'merge',
      unique_key: 'id',
      tblproperties: { transactional: 'true' },
    }),
    fake: { capabilities: SPARK },
    error: /does not support/,
  },
  incremental_spark_refuses_acid_append: {
    node: model('orders', { materialized: 'incremental' }),
    fake: { capabilities: SPARK, relations: [src(), flatTable({ transactional: true })] },
    error: /refusing to write/,
  },
  incremental_spark_append: {
    node: model('orders', { materialized: 'incremental' }),
    fake: { capabilities: SPARK, relations: [src(), flatTable()] },
  },

  // --- on_schema_change -------------------------------------------------------------------------
  schema_change_ignore: {
    node: model('orders', { materialized: 'incremental', on_schema_change: 'ignore' }),
    fake: { relations: [src('orders', [col('id', 'bigint'), col('ds'), col('channel')]), flatTable()] },
  },
  schema_change_fail: {
    node: model('orders', { materialized: 'incremental', on_schema_change: 'fail' }),
    fake: { relations: [src('orders', [col('id', 'bigint'), col('ds'), col('channel')]), flatTable()] },
    error: /on_schema_change is 'fail'/,
  },
  schema_change_fail_no_change: {
    node: model('orders', { materialized: 'incremental', on_schema_change: 'fail' }),
    fake: { relations: [src(), flatTable()] },
  },
  schema_change_append_new_columns: {
    node: model(
      'orders',
      {
        materialized: 'incremental',
        on_schema_change: 'append_new_columns',
        persist_docs: { columns: true },
      },
      { columns: { channel: 'Sales channel' } },
    ),
    fake: { relations: [src('orders', [col('id', 'bigint'), col('ds'), col('channel')]), flatTable()] },
  },
  schema_change_sync_all_columns: {
    node: model('orders', { materialized: 'incremental', on_schema_change: 'sync_all_columns' }),
    fake: {
      relations: [
        src('orders', [col('id', 'bigint'), col('amount', 'decimal(14,2)'), col('channel')]),
        flatTable(),
      ],
    },
  },
  schema_change_sync_only_added: {
    node: model('orders', {
      materialized: 'incremental',
      on_schema_change: 'sync_all_columns',
      partition_by: 'ds',
    }),
    fake: { relations: [src('orders', [...SRC_COLUMNS, col('channel')]), existingTable()] },
  },
  schema_change_sync_spark_rebuilds: {
    node: model('orders', { materialized: 'incremental', on_schema_change: 'sync_all_columns' }),
    fake: {
      capabilities: SPARK,
      relations: [src('orders', [col('id', 'bigint'), col('channel')]), flatTable()],
    },
  },
};

describe('materializations: statements sent', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const adapter = new FakeAdapter(scenario.fake);
      const ctx = context(adapter, scenario.node, scenario.ctx);
      const result = await transcriptOf(adapter, () => executorFor(scenario.node)(ctx));
      if (scenario.error) {
        expect(result.error?.message).toMatch(scenario.error);
      } else if (result.error) {
        throw result.error;
      }
      await expect(result.text).toMatchFileSnapshot(golden(name));
    });
  }
});

describe('materializations: outcomes and guarantees', () => {
  it('reports the engine row count', async () => {
    const adapter = new FakeAdapter({ relations: [src(), flatTable()], answer: insertRows(42) });
    const outcome = await runModel(context(adapter, model('orders', { materialized: 'incremental' })));
    expect(outcome).toMatchObject({ status: 'success', message: 'INSERT 42', rowsAffected: 42 });
  });

  it('a failed build never renames or drops the live table', async () => {
    const adapter = new FakeAdapter({ relations: [src(), flatTable()], failOn: /^INSERT/ });
    await expect(runModel(context(adapter, model('orders', { materialized: 'table' })))).rejects.toThrow();
    expect(adapter.log.filter((s) => /`orders`(;|\s|$)/.test(s) && /RENAME|DROP/.test(s))).toEqual([]);
  });

  it('a failed build drops its half-built tmp table', async () => {
    const adapter = new FakeAdapter({ relations: [src(), flatTable()], failOn: /^INSERT/ });
    await expect(runModel(context(adapter, model('orders', { materialized: 'table' })))).rejects.toThrow();
    const insert = adapter.log.findIndex((s) =>
      s.startsWith('INSERT OVERWRITE TABLE `analytics`.`orders__qdbt_tmp`'),
    );
    expect(insert).toBeGreaterThan(-1);
    expect(adapter.log.slice(insert + 1)).toContain('DROP TABLE IF EXISTS `analytics`.`orders__qdbt_tmp`');
  });

  it('a failed swap renames the backup back', async () => {
    const adapter = new FakeAdapter({
      relations: [src(), flatTable()],
      failOn: /RENAME TO `analytics`\.`orders`$/,
    });
    await expect(runModel(context(adapter, model('orders', { materialized: 'table' })))).rejects.toThrow();
    expect(adapter.log).toContain(
      'ALTER TABLE `analytics`.`orders__qdbt_backup` RENAME TO `analytics`.`orders`',
    );
  });

  it('Spark refuses ACID writes before sending any statement', async () => {
    const adapter = new FakeAdapter({
      capabilities: SPARK,
      relations: [src(), flatTable({ transactional: true })],
    });
    await expect(
      runModel(context(adapter, model('orders', { materialized: 'incremental' }))),
    ).rejects.toThrow(/Spark Thrift Server 3\.5\.4/);
    expect(adapter.log.filter((s) => !s.startsWith('--'))).toEqual([]);
  });

  it('the merge error says what to do', async () => {
    const adapter = new FakeAdapter({ relations: [src(), flatTable()] });
    const node = model('orders', {
      materialized: 'incremental',
      incremental_strategy: 'merge',
      unique_key: 'id',
      tblproperties: { transactional: 'true' },
      file_format: 'orc',
    });
    const error: unknown = await runModel(context(adapter, node)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QdbtError);
    expect((error as QdbtError).hint).toMatch(/--full-refresh/);
  });
});

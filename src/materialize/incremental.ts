/**
 * `incremental`: the first run and --full-refresh build the table (table.ts); later runs compile
 * with is_incremental() true, expose the new rows as a view, apply on_schema_change, then append,
 * overwrite the touched partitions, or MERGE.
 */
import type { ColumnDef, RelationInfo } from '../adapters/types.js';
import { QdbtError } from '../errors.js';
import { describeDiff, diffColumns, isEmptyDiff, normalizeType, planSchemaChange } from './schemaChange.js';
import { assertWritable, engineName, targetOf, type NodeSession } from './session.js';
import {
  buildSettings,
  incrementalSettings,
  type BuildSettings,
  type IncrementalSettings,
} from './settings.js';
import { addColumns, insertSelect, mergeInto, nullOf, q, rel, sqlString } from './sql.js';
import type { PartitionSpec, TableRef } from './sql.js';
import { analyze, buildModelTable, buildTable, dropSourceView, sourceView } from './table.js';
import type { NodeOutcome } from './types.js';

/** At most this many partitions are analyzed one by one; beyond, every partition at once. */
const MAX_ANALYZED_PARTITIONS = 100;

export async function materializeIncremental(session: NodeSession): Promise<NodeOutcome> {
  const { node, ctx } = session;
  const target = targetOf(node);
  const settings = buildSettings(node);
  const inc = incrementalSettings(node, ctx.vars, settings.layout.partitionBy);
  checkStrategySupported(session, target, settings, inc);

  const existing = await session.describe(target);
  const fullRefresh = ctx.fullRefresh && inc.fullRefreshAllowed;
  if (!existing || existing.kind !== 'table' || fullRefresh) {
    const built = await buildModelTable(session, target, settings, node.compiled_code ?? '', existing);
    const message = built.rowsAffected === null ? 'OK created table' : `INSERT ${built.rowsAffected}`;
    return session.outcome('success', message, built.rowsAffected, 'CREATE TABLE');
  }

  assertWritable(session, target, existing.transactional);
  if (inc.strategy === 'merge') checkMergeable(session, target, existing);
  const sql = ctx.recompile({ isIncremental: true });
  const src = await sourceView(session, target, sql);
  try {
    return await applyIncrement(session, target, settings, inc, existing, src.ref, src.columns);
  } finally {
    await dropSourceView(session, src.ref);
  }
}

async function applyIncrement(
  session: NodeSession,
  target: TableRef,
  settings: BuildSettings,
  inc: IncrementalSettings,
  existing: RelationInfo,
  src: TableRef,
  sourceColumns: ColumnDef[],
): Promise<NodeOutcome> {
  const { node } = session;
  const tablePartitions = existing.partitionColumns ?? [];
  const partitionNames = new Set(tablePartitions.map((c) => c.name.toLowerCase()));
  const configured = settings.layout.partitionBy.map((p) => p.toLowerCase());
  if (configured.join(',') !== tablePartitions.map((c) => c.name.toLowerCase()).join(',')) {
    throw new QdbtError(
      'runtime',
      `${node.name}: partition_by (${configured.join(', ') || 'none'}) differs from the table's partitions (${tablePartitions.map((c) => c.name).join(', ') || 'none'})`,
      { hint: 'run with --full-refresh to rebuild the table with the new partitioning' },
    );
  }
  const sourceNames = new Set(sourceColumns.map((c) => c.name.toLowerCase()));
  const missingPartitions = tablePartitions.filter((c) => !sourceNames.has(c.name.toLowerCase()));
  if (missingPartitions.length > 0) {
    throw new QdbtError(
      'runtime',
      `${node.name}: the new rows lack partition column(s) ${missingPartitions.map((c) => c.name).join(', ')}`,
    );
  }

  // on_schema_change, on data columns.
  const tableColumns = existing.columns ?? [];
  const sourceData = sourceColumns.filter((c) => !partitionNames.has(c.name.toLowerCase()));
  const diff = diffColumns(tableColumns, sourceData);
  if (inc.onSchemaChange === 'fail' && !isEmptyDiff(diff)) {
    throw new QdbtError(
      'runtime',
      `${node.name}: the model's columns changed (${describeDiff(diff)}) and on_schema_change is 'fail'`,
      {
        hint: "run with --full-refresh to rebuild the table, or set on_schema_change to 'append_new_columns' or 'sync_all_columns'",
      },
    );
  }
  if (!isEmptyDiff(diff) && inc.onSchemaChange === 'ignore') {
    session.ctx.log(
      `${node.unique_id}: columns differ (${describeDiff(diff)}); on_schema_change 'ignore' keeps the table's`,
    );
  }
  const plan = planSchemaChange(inc.onSchemaChange, tableColumns, diff);
  const comments = settings.layout.columnComments;
  if (plan.add.length > 0) await session.run(addColumns(target, plan.add, comments));
  if (plan.rebuild) {
    session.ctx.log(
      `${node.unique_id}: sync_all_columns (${describeDiff(diff)}): rebuilding ${rel(target)} with the new columns`,
    );
    const expressions = plan.columns.map((c) => {
      const old = tableColumns.find((t) => t.name.toLowerCase() === c.name.toLowerCase());
      if (!old) return nullOf(c.type);
      return normalizeType(old.type) === normalizeType(c.type)
        ? q(c.name)
        : `CAST(${q(c.name)} AS ${c.type})`;
    });
    const source = {
      columns: [...plan.columns, ...tablePartitions],
      expressions: [...expressions, ...tablePartitions.map((c) => q(c.name))],
      from: rel(target),
    };
    await buildTable(session, target, { ...settings, computeStats: false }, source, existing);
  }
  if (plan.add.length > 0) session.invalidate(target);

  const expression = (c: ColumnDef, prefix = ''): string =>
    sourceNames.has(c.name.toLowerCase()) ? `${prefix}${q(c.name)}` : nullOf(c.type);
  const dataExpressions = plan.columns.map((c) => expression(c));

  // Partition spec: static values from the config or --vars first, the rest dynamic.
  const staticValues = new Map(Object.entries(inc.staticPartition).map(([k, v]) => [k.toLowerCase(), v]));
  const spec: PartitionSpec = tablePartitions.map((c) => {
    const value = staticValues.get(c.name.toLowerCase());
    return value === undefined ? { name: c.name } : { name: c.name, value };
  });
  const dynamicPartitions = tablePartitions.filter((c) => !staticValues.has(c.name.toLowerCase()));
  const where = spec
    .filter((p) => p.value !== undefined)
    .map((p) => `${q(p.name)} = ${sqlString(p.value!)}`)
    .join(' AND ');

  const touched = await touchedPartitions(session, settings, src, spec, dynamicPartitions, where);

  let result;
  let verb: string;
  if (inc.strategy === 'merge' && inc.uniqueKey.length > 0) {
    verb = 'MERGE';
    const keys = inc.uniqueKey;
    for (const key of keys) {
      if (!sourceNames.has(key.toLowerCase()))
        throw new QdbtError(
          'project',
          `${node.name}: unique_key column '${key}' is not among the model's columns`,
        );
    }
    const frozen = new Set([...keys, ...settings.layout.clusteredBy].map((k) => k.toLowerCase()));
    const updates = plan.columns
      .filter((c) => sourceNames.has(c.name.toLowerCase()) && !frozen.has(c.name.toLowerCase()))
      .map((c) => c.name);
    const values = [
      ...plan.columns.map((c) => expression(c, 'dbt_internal_source.')),
      ...tablePartitions.map((c) => `dbt_internal_source.${q(c.name)}`),
    ];
    result = await session.run(mergeInto(target, src, keys, updates, values));
  } else {
    const mode = inc.strategy === 'insert_overwrite' ? 'overwrite' : 'into';
    verb = mode === 'overwrite' ? 'INSERT OVERWRITE' : 'INSERT';
    const select = [...dataExpressions, ...dynamicPartitions.map((c) => q(c.name))];
    result = await session.run(insertSelect(mode, target, spec, select, rel(src), where || undefined));
  }
  session.invalidate(target);
  await analyze(session, target, settings, plan.columns, touched);

  const rows = result.rowsAffected;
  const message =
    rows === null ? `OK ${verb.toLowerCase()}` : `${verb === 'INSERT OVERWRITE' ? 'INSERT' : verb} ${rows}`;
  return session.outcome('success', message, rows, verb);
}

/**
 * The partitions the new rows touch, for ANALYZE (only asked when compute_stats is set): the
 * static spec itself, or the distinct dynamic values read from the new rows.
 */
async function touchedPartitions(
  session: NodeSession,
  settings: BuildSettings,
  src: TableRef,
  spec: PartitionSpec,
  dynamic: ColumnDef[],
  where: string,
): Promise<PartitionSpec[]> {
  if (!settings.computeStats || !session.capabilities.supportsAnalyze) return [];
  if (spec.length === 0 || dynamic.length === 0) return [spec];
  const names = dynamic.map((c) => q(c.name)).join(', ');
  const result = await session.run(
    `SELECT DISTINCT ${names} FROM ${rel(src)}${where ? ` WHERE ${where}` : ''}`,
    {
      maxRows: MAX_ANALYZED_PARTITIONS + 1,
    },
  );
  if (result.rows.length === 0) return [];
  if (result.rows.length > MAX_ANALYZED_PARTITIONS) return [spec];
  const specs: PartitionSpec[] = [];
  for (const row of result.rows) {
    if (row.some((v) => v === null || v === undefined)) continue;
    const values = new Map(dynamic.map((c, i) => [c.name.toLowerCase(), String(row[i])]));
    specs.push(
      spec.map((p) =>
        p.value !== undefined ? p : { name: p.name, value: values.get(p.name.toLowerCase())! },
      ),
    );
  }
  return specs;
}

function checkStrategySupported(
  session: NodeSession,
  target: TableRef,
  settings: BuildSettings,
  inc: IncrementalSettings,
): void {
  if (inc.strategy !== 'merge') return;
  const { node, capabilities } = session;
  if (!capabilities.supportsMerge) {
    throw new QdbtError(
      'runtime',
      `${node.name}: incremental_strategy 'merge' needs MERGE INTO, which ${engineName(capabilities)} does not support`,
      {
        hint: "use incremental_strategy 'append' or 'insert_overwrite' on this target, or run the model against Hive",
      },
    );
  }
  if (!settings.transactional && !settings.iceberg) {
    throw new QdbtError(
      'project',
      `${node.name}: incremental_strategy 'merge' needs an ACID (transactional) or Iceberg table, and ${rel(target)} is configured as neither`,
      {
        location: { file: node.original_file_path },
        hint: "set file_format: orc and tblproperties: {transactional: 'true'} (then run once with --full-refresh), or use incremental_strategy 'append' or 'insert_overwrite'",
      },
    );
  }
}

function checkMergeable(session: NodeSession, target: TableRef, existing: RelationInfo): void {
  const props = existing.tableProperties ?? {};
  const iceberg =
    (props.table_type ?? '').toLowerCase() === 'iceberg' || /iceberg/i.test(props.storage_handler ?? '');
  if (existing.transactional || iceberg) return;
  throw new QdbtError(
    'runtime',
    `${session.node.name}: cannot MERGE into ${rel(target)}: the existing table is not transactional (ACID) or Iceberg`,
    {
      hint: 'run once with --full-refresh to rebuild it as configured (transactional), or use incremental_strategy append or insert_overwrite',
    },
  );
}

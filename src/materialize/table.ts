/**
 * `table`: build the new table beside the old one and swap it in, so a failed build leaves the
 * previous table whole and queryable. Also the first run (and --full-refresh) of an incremental
 * model, and the last step of a seed.
 */
import type { ColumnDef, RelationInfo } from '../adapters/types.js';
import { QdbtError } from '../errors.js';
import {
  analyzeTable,
  createTable,
  createView,
  dropTable,
  dropView,
  insertSelect,
  q,
  rel,
  renameTable,
  setTableProperties,
} from './sql.js';
import type { PartitionSpec, TableRef } from './sql.js';
import { assertWritable, sibling, type NodeSession } from './session.js';
import type { BuildSettings } from './settings.js';

/** Rows for the new table: final columns, and the expression that yields each from `from`. */
export interface BuildSource {
  columns: ColumnDef[];
  expressions: string[];
  from: string;
}

export interface BuildResult {
  rowsAffected: number | null;
  partitioned: boolean;
}

/** Split source columns into data columns and partition columns (in partition_by order). */
export function splitPartitionColumns(
  session: NodeSession,
  source: BuildSource,
  partitionBy: string[],
): { data: Array<[ColumnDef, string]>; partitions: Array<[ColumnDef, string]> } {
  const pairs = source.columns.map((c, i): [ColumnDef, string] => [c, source.expressions[i]!]);
  const byName = new Map(pairs.map((p) => [p[0].name.toLowerCase(), p]));
  const partitions = partitionBy.map((name) => {
    const pair = byName.get(name.toLowerCase());
    if (!pair) {
      throw new QdbtError(
        'project',
        `${session.node.name}: partition_by column '${name}' is not among the model's columns`,
        {
          location: { file: session.node.original_file_path },
          hint: `the query returns: ${source.columns.map((c) => c.name).join(', ')}`,
        },
      );
    }
    return pair;
  });
  const partitionNames = new Set(partitionBy.map((p) => p.toLowerCase()));
  const data = pairs.filter((p) => !partitionNames.has(p[0].name.toLowerCase()));
  if (data.length === 0)
    throw new QdbtError(
      'project',
      `${session.node.name}: a table needs at least one column besides its partition columns`,
    );
  return { data, partitions };
}

/** Build `<name>__qdbt_tmp`, then swap it in for `target` (restoring the old table if the swap fails). */
export async function buildTable(
  session: NodeSession,
  target: TableRef,
  settings: BuildSettings,
  source: BuildSource,
  existing: RelationInfo | null,
): Promise<BuildResult> {
  assertWritable(session, target, settings.transactional || existing?.transactional);
  const { layout } = settings;
  const { data, partitions } = splitPartitionColumns(session, source, layout.partitionBy);
  const dataColumns = data.map((d) => d[0]);
  const partitionColumns = partitions.map((p) => p[0]);
  const dynamic: PartitionSpec = partitionColumns.map((c) => ({ name: c.name }));
  const select = [...data, ...partitions].map(([c, expr]) =>
    expr === q(c.name) ? expr : `${expr} AS ${q(c.name)}`,
  );
  const tmp = sibling(target, 'tmp');
  const backup = sibling(target, 'backup');

  // Without a usable rename (or with an explicit location) the table is written in place at the end.
  const inPlace = layout.location !== null || !session.capabilities.supportsRenameTable;

  await session.run(dropTable(tmp));
  await session.run(createTable(tmp, dataColumns, partitionColumns, layout, { location: null }));
  session.invalidate(tmp);
  let insert;
  try {
    insert = await session.run(insertSelect('overwrite', tmp, dynamic, select, source.from));
  } catch (error) {
    // The live table was not touched; leave nothing half-built beside it.
    await session.tryRun(dropTable(tmp));
    session.invalidate(tmp);
    throw error;
  }
  let rowsAffected = insert.rowsAffected;

  if (!inPlace) {
    if (existing?.kind === 'table') {
      await session.run(dropTable(backup));
      const aside = await moveAside(session, target, backup);
      if (!aside) await session.run(dropTable(target));
      session.invalidate(target);
      try {
        await session.run(renameTable(tmp, target));
      } catch (error) {
        if (aside) await session.tryRun(renameTable(backup, target));
        throw error;
      }
      if (aside) await session.run(dropTable(backup));
    } else {
      if (existing) await session.run(dropView(target));
      await session.run(renameTable(tmp, target));
    }
  } else {
    rowsAffected = await writeInPlace(
      session,
      target,
      backup,
      tmp,
      settings,
      dataColumns,
      partitionColumns,
      existing,
    );
  }
  session.invalidate(tmp);
  session.invalidate(backup);
  session.invalidate(target);

  await analyze(session, target, settings, dataColumns, dynamic);
  return { rowsAffected, partitioned: partitionColumns.length > 0 };
}

/**
 * External tables at a fixed location (and engines without rename): the validated rows in `tmp`
 * are copied into a table created at the location. The old table is renamed aside first and put
 * back if the copy fails; its purge flag is cleared before it is dropped so its files survive.
 */
async function writeInPlace(
  session: NodeSession,
  target: TableRef,
  backup: TableRef,
  tmp: TableRef,
  settings: BuildSettings,
  dataColumns: ColumnDef[],
  partitionColumns: ColumnDef[],
  existing: RelationInfo | null,
): Promise<number | null> {
  const canRename = session.capabilities.supportsRenameTable;
  const dynamic: PartitionSpec = partitionColumns.map((c) => ({ name: c.name }));
  const columns = [...dataColumns, ...partitionColumns].map((c) => q(c.name));
  let aside = false;
  if (existing?.kind === 'view') await session.run(dropView(target));
  else if (existing && canRename) {
    await session.run(dropTable(backup));
    aside = await moveAside(session, target, backup);
  }
  if (existing?.kind === 'table' && !aside) {
    await session.run(setTableProperties(target, { 'external.table.purge': 'false' }));
    await session.run(dropTable(target));
  }
  session.invalidate(target);
  let rows: number | null;
  try {
    await session.run(createTable(target, dataColumns, partitionColumns, settings.layout));
    rows = (await session.run(insertSelect('overwrite', target, dynamic, columns, rel(tmp)))).rowsAffected;
  } catch (error) {
    if (aside) {
      await session.tryRun(dropTable(target));
      await session.tryRun(renameTable(backup, target));
    }
    throw error;
  }
  if (aside) {
    await session.run(setTableProperties(backup, { 'external.table.purge': 'false' }));
    await session.run(dropTable(backup));
  }
  await session.run(dropTable(tmp));
  return rows;
}

/**
 * Rename the live table aside. Hive 4.0.1 with `metastore.try.direct.sql=false` cannot rename a
 * partitioned table that has column statistics (NullPointerException in MetaStoreDirectSql): then
 * the new table, already complete, replaces the old one without a backup.
 */
async function moveAside(session: NodeSession, target: TableRef, backup: TableRef): Promise<boolean> {
  try {
    await session.run(renameTable(target, backup));
    return true;
  } catch (error) {
    session.ctx.log(
      `${session.node.unique_id}: could not rename ${rel(target)} aside (${(error as Error).message}); replacing it without a backup`,
    );
    return false;
  }
}

/** ANALYZE after a build when `compute_stats` is set (Hive's optimizer needs it; no dbt adapter does it). */
export async function analyze(
  session: NodeSession,
  target: TableRef,
  settings: BuildSettings,
  dataColumns: ColumnDef[],
  partitions: PartitionSpec[] | PartitionSpec,
): Promise<void> {
  if (!settings.computeStats) return;
  if (!session.capabilities.supportsAnalyze) {
    session.ctx.log(`${session.node.unique_id}: compute_stats skipped: the engine has no ANALYZE`);
    return;
  }
  const specs = Array.isArray(partitions[0])
    ? (partitions as PartitionSpec[])
    : [partitions as PartitionSpec];
  const forColumns = settings.computeStats === 'columns' ? dataColumns.map((c) => c.name) : null;
  for (const spec of specs) await session.run(analyzeTable(target, spec, forColumns));
}

/** The compiled SQL as a view `<name>__qdbt_src`, described for its columns. */
export async function sourceView(
  session: NodeSession,
  target: TableRef,
  sql: string,
): Promise<{ ref: TableRef; columns: ColumnDef[] }> {
  const ref = sibling(target, 'src');
  await session.run(dropView(ref));
  await session.run(createView(ref, sql));
  session.invalidate(ref);
  const info = await session.describe(ref);
  const columns = [...(info?.columns ?? []), ...(info?.partitionColumns ?? [])];
  if (columns.length === 0)
    throw new QdbtError('runtime', `${session.node.name}: could not read the columns of ${rel(ref)}`);
  return { ref, columns: columns.map((c) => ({ name: c.name, type: c.type })) };
}

export async function dropSourceView(session: NodeSession, ref: TableRef): Promise<void> {
  await session.tryRun(dropView(ref));
  session.invalidate(ref);
}

/** A model's full build: source view, table beside, swap. */
export async function buildModelTable(
  session: NodeSession,
  target: TableRef,
  settings: BuildSettings,
  sql: string,
  existing: RelationInfo | null,
): Promise<BuildResult> {
  assertWritable(session, target, settings.transactional || existing?.transactional);
  const src = await sourceView(session, target, sql);
  try {
    return await buildTable(
      session,
      target,
      settings,
      { columns: src.columns, expressions: src.columns.map((c) => q(c.name)), from: rel(src.ref) },
      existing,
    );
  } finally {
    await dropSourceView(session, src.ref);
  }
}

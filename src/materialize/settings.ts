/** A node's config, checked and turned into typed build settings. Pure. */
import { QdbtError } from '../errors.js';
import type { GraphNode } from '../manifest/types.js';
import type { TableLayout } from './sql.js';

export const FILE_FORMATS = [
  'parquet',
  'orc',
  'textfile',
  'avro',
  'sequencefile',
  'rcfile',
  'jsonfile',
] as const;
export const STRATEGIES = ['append', 'insert_overwrite', 'merge'] as const;
export const SCHEMA_CHANGE_MODES = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const;

export type Strategy = (typeof STRATEGIES)[number];
export type SchemaChangeMode = (typeof SCHEMA_CHANGE_MODES)[number];
/** `table`: ANALYZE ... COMPUTE STATISTICS; `columns`: also FOR COLUMNS. */
export type ComputeStats = false | 'table' | 'columns';

export interface BuildSettings {
  layout: TableLayout;
  /** tblproperties say `transactional=true`. */
  transactional: boolean;
  /** tblproperties or config name an Iceberg table. */
  iceberg: boolean;
  computeStats: ComputeStats;
  /** Table comment and column comments for views too. */
  viewComment: string | null;
  persistColumns: boolean;
}

export interface IncrementalSettings {
  strategy: Strategy;
  uniqueKey: string[];
  onSchemaChange: SchemaChangeMode;
  /** Static partition values for a backfill (`partition` config or `--vars '{partition: {...}}'`). */
  staticPartition: Record<string, string>;
  /** `full_refresh: false` in config keeps the table even with --full-refresh. */
  fullRefreshAllowed: boolean;
}

function configError(node: GraphNode, message: string, hint?: string): QdbtError {
  return new QdbtError('project', `${node.resource_type} '${node.name}': ${message}`, {
    location: { file: node.original_file_path },
    hint,
  });
}

function stringList(node: GraphNode, key: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.trim() === '' ? [] : [value.trim()];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim());
  throw configError(node, `config '${key}' must be a column name or a list of column names`);
}

function stringMap(node: GraphNode, key: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw configError(node, `config '${key}' must be a mapping`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object') throw configError(node, `config '${key}.${k}' must be a scalar`);
    out[k] = String(v);
  }
  return out;
}

export function buildSettings(node: GraphNode): BuildSettings {
  const config = node.config;
  const fileFormat = String(config.file_format ?? 'parquet').toLowerCase();
  if (!(FILE_FORMATS as readonly string[]).includes(fileFormat)) {
    throw configError(node, `file_format '${fileFormat}' is not one of ${FILE_FORMATS.join(', ')}`);
  }
  const partitionBy = stringList(node, 'partition_by', config.partition_by);
  const clusteredBy = stringList(node, 'clustered_by', config.clustered_by);
  const sortedBy = stringList(node, 'sorted_by', config.sorted_by);
  let buckets: number | null = null;
  if (config.buckets !== undefined && config.buckets !== null) {
    buckets = Number(config.buckets);
    if (!Number.isInteger(buckets) || buckets < 1)
      throw configError(node, `buckets must be a positive integer`);
  }
  if (clusteredBy.length > 0 && buckets === null) {
    throw configError(node, `clustered_by needs buckets`, `add buckets: <n> to the config`);
  }
  if (buckets !== null && clusteredBy.length === 0) throw configError(node, `buckets needs clustered_by`);
  const tblproperties = stringMap(node, 'tblproperties', config.tblproperties);
  if (config.transactional === true && tblproperties.transactional === undefined)
    tblproperties.transactional = 'true';
  const transactional = (tblproperties.transactional ?? '').toLowerCase() === 'true';
  const iceberg =
    String(config.table_type ?? '').toLowerCase() === 'iceberg' ||
    (tblproperties.table_type ?? '').toLowerCase() === 'iceberg';
  const location =
    typeof config.location === 'string' && config.location.trim() !== '' ? config.location.trim() : null;

  const persist = config.persist_docs ?? {};
  const description = node.description?.trim() ? node.description.trim() : null;
  const explicitComment =
    typeof config.comment === 'string' && config.comment.trim() !== '' ? config.comment.trim() : null;
  const comment = explicitComment ?? (persist.relation ? description : null);
  const columnComments: Record<string, string> = {};
  if (persist.columns) {
    for (const column of Object.values(node.columns ?? {})) {
      if (column.description?.trim()) columnComments[column.name.toLowerCase()] = column.description.trim();
    }
  }

  let computeStats: ComputeStats = false;
  const stats = config.compute_stats;
  if (stats === true || stats === 'table') computeStats = 'table';
  else if (stats === 'columns' || stats === 'all') computeStats = 'columns';
  else if (stats !== undefined && stats !== null && stats !== false) {
    throw configError(node, `compute_stats must be true, false, 'table' or 'columns'`);
  }

  return {
    layout: {
      fileFormat,
      partitionBy,
      clusteredBy,
      sortedBy,
      buckets,
      location,
      tblproperties,
      comment,
      columnComments,
    },
    transactional,
    iceberg,
    computeStats,
    viewComment: comment,
    persistColumns: Boolean(persist.columns),
  };
}

export function incrementalSettings(
  node: GraphNode,
  vars: Record<string, unknown>,
  partitionBy: string[],
): IncrementalSettings {
  const config = node.config;
  const strategy = String(config.incremental_strategy ?? 'append') as Strategy;
  if (!(STRATEGIES as readonly string[]).includes(strategy)) {
    throw configError(node, `incremental_strategy '${strategy}' is not one of ${STRATEGIES.join(', ')}`);
  }
  const onSchemaChange = String(config.on_schema_change ?? 'ignore') as SchemaChangeMode;
  if (!(SCHEMA_CHANGE_MODES as readonly string[]).includes(onSchemaChange)) {
    throw configError(
      node,
      `on_schema_change '${onSchemaChange}' is not one of ${SCHEMA_CHANGE_MODES.join(', ')}`,
    );
  }
  const uniqueKey = stringList(node, 'unique_key', config.unique_key);

  // Static partition values: the config's `partition`, or `--vars '{partition: {ds: ...}}'` when its
  // keys are this model's partition columns.
  let staticPartition = stringMap(node, 'partition', config.partition);
  const fromVars = vars.partition;
  if (
    Object.keys(staticPartition).length === 0 &&
    fromVars &&
    typeof fromVars === 'object' &&
    !Array.isArray(fromVars)
  ) {
    const keys = Object.keys(fromVars);
    const lower = partitionBy.map((p) => p.toLowerCase());
    if (keys.length > 0 && keys.every((k) => lower.includes(k.toLowerCase()))) {
      staticPartition = stringMap(node, 'vars.partition', fromVars);
    }
  }
  if (Object.keys(staticPartition).length > 0) {
    if (strategy !== 'insert_overwrite') {
      throw configError(
        node,
        `a static partition needs incremental_strategy insert_overwrite, not ${strategy}`,
      );
    }
    // Hive: static partition columns must come before dynamic ones, in the table's order.
    const given = new Set(Object.keys(staticPartition).map((k) => k.toLowerCase()));
    const unknown = [...given].filter((k) => !partitionBy.some((p) => p.toLowerCase() === k));
    if (unknown.length > 0)
      throw configError(node, `partition names ${unknown.join(', ')}, which are not in partition_by`);
    const prefix = partitionBy.slice(0, given.size).map((p) => p.toLowerCase());
    if (!prefix.every((p) => given.has(p))) {
      throw configError(
        node,
        `static partition values must be given for a leading part of partition_by (${partitionBy.join(', ')})`,
        'Hive does not allow a dynamic partition column before a static one',
      );
    }
  }
  if (strategy === 'insert_overwrite' && partitionBy.length === 0) {
    throw configError(
      node,
      `incremental_strategy insert_overwrite needs partition_by (it overwrites the partitions the new rows touch, never the whole table)`,
      `set partition_by, or use materialized: table to rebuild the whole table`,
    );
  }
  return {
    strategy,
    uniqueKey,
    onSchemaChange,
    staticPartition,
    fullRefreshAllowed: config.full_refresh !== false,
  };
}

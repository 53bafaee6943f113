/**
 * Pure HiveQL builders: every statement a materialization sends is spelled here, in the subset
 * genuine Hive 4.0.1 and Spark Thrift Server 3.5.4 (Hive syntax) both accept. No I/O.
 */
import type { ColumnDef } from '../adapters/types.js';
import { quoteIdentifier, relationName } from '../compiler/relation.js';

export interface TableRef {
  schema: string;
  name: string;
}

/** Physical layout and metadata of a table, from the node's config (see settings.ts). */
export interface TableLayout {
  /** `parquet`, `orc`, `textfile`, `avro`, ... */
  fileFormat: string;
  partitionBy: string[];
  clusteredBy: string[];
  sortedBy: string[];
  buckets: number | null;
  /** External table at this path. */
  location: string | null;
  tblproperties: Record<string, string>;
  comment: string | null;
  /** Lower-cased column name to comment (persist_docs columns). */
  columnComments: Record<string, string>;
}

export function rel(ref: TableRef): string {
  return relationName(ref.schema, ref.name);
}

export function q(name: string): string {
  return quoteIdentifier(name);
}

/** A single-quoted string literal; backslash escapes work in Hive and Spark alike. */
export function sqlString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

/** Remove a trailing semicolon and surrounding blank space: the adapter takes one bare statement. */
export function bareStatement(sql: string): string {
  return sql.trim().replace(/;\s*$/, '').trim();
}

function columnDefinition(column: ColumnDef, comments: Record<string, string>): string {
  const comment = column.comment ?? comments[column.name.toLowerCase()];
  return `${q(column.name)} ${column.type}${comment ? ` COMMENT ${sqlString(comment)}` : ''}`;
}

export function propertiesClause(properties: Record<string, string>): string {
  return Object.entries(properties)
    .map(([k, v]) => `${sqlString(k)}=${sqlString(v)}`)
    .join(', ');
}

/**
 * CREATE [EXTERNAL] TABLE with explicit columns, clauses in the order Hive requires (Spark takes
 * any order): COMMENT, PARTITIONED BY, CLUSTERED BY, STORED AS, LOCATION, TBLPROPERTIES.
 */
export function createTable(
  target: TableRef,
  columns: ColumnDef[],
  partitionColumns: ColumnDef[],
  layout: TableLayout,
  options: { location?: string | null } = {},
): string {
  const location = options.location === undefined ? layout.location : options.location;
  const lines = [`CREATE ${location ? 'EXTERNAL ' : ''}TABLE ${rel(target)} (`];
  lines.push(columns.map((c) => `  ${columnDefinition(c, layout.columnComments)}`).join(',\n'));
  lines.push(')');
  if (layout.comment) lines.push(`COMMENT ${sqlString(layout.comment)}`);
  if (partitionColumns.length > 0) {
    lines.push(
      `PARTITIONED BY (${partitionColumns.map((c) => columnDefinition(c, layout.columnComments)).join(', ')})`,
    );
  }
  if (layout.clusteredBy.length > 0 && layout.buckets !== null) {
    const sorted = layout.sortedBy.length > 0 ? ` SORTED BY (${layout.sortedBy.map(q).join(', ')})` : '';
    lines.push(
      `CLUSTERED BY (${layout.clusteredBy.map(q).join(', ')})${sorted} INTO ${layout.buckets} BUCKETS`,
    );
  }
  lines.push(`STORED AS ${layout.fileFormat.toUpperCase()}`);
  if (location) lines.push(`LOCATION ${sqlString(location)}`);
  if (Object.keys(layout.tblproperties).length > 0) {
    lines.push(`TBLPROPERTIES (${propertiesClause(layout.tblproperties)})`);
  }
  return lines.join('\n');
}

/** A text staging table over a folder: Hive's default LazySimpleSerDe (`\001` fields, `\N` NULL). */
export function createStagingTextTable(target: TableRef, columnNames: string[], location: string): string {
  return [
    `CREATE EXTERNAL TABLE ${rel(target)} (`,
    columnNames.map((c) => `  ${q(c)} string`).join(',\n'),
    ')',
    'STORED AS TEXTFILE',
    `LOCATION ${sqlString(location)}`,
  ].join('\n');
}

export function createView(
  target: TableRef,
  sql: string,
  options: { replace?: boolean; comment?: string | null; columns?: ColumnDef[] } = {},
): string {
  const head = `CREATE ${options.replace ? 'OR REPLACE ' : ''}VIEW ${rel(target)}`;
  const parts = [head];
  if (options.columns && options.columns.length > 0) {
    const list = options.columns.map(
      (c) => `${q(c.name)}${c.comment ? ` COMMENT ${sqlString(c.comment)}` : ''}`,
    );
    parts.push(`(${list.join(', ')})`);
  }
  if (options.comment) parts.push(`COMMENT ${sqlString(options.comment)}`);
  return `${parts.join(' ')} AS\n${bareStatement(sql)}`;
}

export function dropTable(target: TableRef, ifExists = true): string {
  return `DROP TABLE ${ifExists ? 'IF EXISTS ' : ''}${rel(target)}`;
}

export function dropView(target: TableRef, ifExists = true): string {
  return `DROP VIEW ${ifExists ? 'IF EXISTS ' : ''}${rel(target)}`;
}

export function renameTable(from: TableRef, to: TableRef): string {
  return `ALTER TABLE ${rel(from)} RENAME TO ${rel(to)}`;
}

export function setTableProperties(target: TableRef, properties: Record<string, string>): string {
  return `ALTER TABLE ${rel(target)} SET TBLPROPERTIES (${propertiesClause(properties)})`;
}

/** A partition spec: `name='value'` for static values, the bare name for dynamic ones. */
export type PartitionSpec = Array<{ name: string; value?: string }>;

export function partitionClause(spec: PartitionSpec): string {
  if (spec.length === 0) return '';
  const parts = spec.map((p) => (p.value === undefined ? q(p.name) : `${q(p.name)}=${sqlString(p.value)}`));
  return ` PARTITION (${parts.join(', ')})`;
}

/** `INSERT INTO|OVERWRITE TABLE t [PARTITION (...)] SELECT <exprs> FROM <source> [WHERE ...]`. */
export function insertSelect(
  mode: 'into' | 'overwrite',
  target: TableRef,
  partition: PartitionSpec,
  selectList: string[],
  from: string,
  where?: string,
): string {
  const verb = mode === 'into' ? 'INSERT INTO TABLE' : 'INSERT OVERWRITE TABLE';
  const lines = [
    `${verb} ${rel(target)}${partitionClause(partition)}`,
    `SELECT ${selectList.join(', ')}`,
    `FROM ${from}`,
  ];
  if (where) lines.push(`WHERE ${where}`);
  return lines.join('\n');
}

/**
 * Hive's MERGE (ACID or Iceberg tables): no `INSERT *`, no `UPDATE SET *`, no qualified target
 * column in SET, and partition or key columns may not be updated.
 */
export function mergeInto(
  target: TableRef,
  source: TableRef,
  keys: string[],
  updateColumns: string[],
  insertValues: string[],
): string {
  const on = keys.map((k) => `dbt_internal_dest.${q(k)} = dbt_internal_source.${q(k)}`).join(' AND ');
  const lines = [
    `MERGE INTO ${rel(target)} AS dbt_internal_dest`,
    `USING ${rel(source)} AS dbt_internal_source`,
    `ON ${on}`,
  ];
  if (updateColumns.length > 0) {
    lines.push(
      `WHEN MATCHED THEN UPDATE SET ${updateColumns.map((c) => `${q(c)} = dbt_internal_source.${q(c)}`).join(', ')}`,
    );
  }
  lines.push(`WHEN NOT MATCHED THEN INSERT VALUES (${insertValues.join(', ')})`);
  return lines.join('\n');
}

export function addColumns(target: TableRef, columns: ColumnDef[], comments: Record<string, string>): string {
  return `ALTER TABLE ${rel(target)} ADD COLUMNS (${columns.map((c) => columnDefinition(c, comments)).join(', ')})`;
}

/**
 * ANALYZE TABLE; a partitioned table always gets a spec (bare names mean every partition).
 * Column statistics name their columns: Hive and Spark both take `FOR COLUMNS a, b`.
 */
export function analyzeTable(
  target: TableRef,
  partition: PartitionSpec,
  forColumns: string[] | null,
): string {
  const columns = forColumns && forColumns.length > 0 ? ` FOR COLUMNS ${forColumns.map(q).join(', ')}` : '';
  return `ANALYZE TABLE ${rel(target)}${partitionClause(partition)} COMPUTE STATISTICS${columns}`;
}

/** `CAST(NULL AS type)` for target columns the new rows do not have. */
export function nullOf(type: string): string {
  return `CAST(NULL AS ${type})`;
}

/** The data-test wrapper: failures and the warn/error verdicts in one row. */
export function testResultQuery(
  sql: string,
  options: { failCalc: string; warnIf: string; errorIf: string; limit: number | null },
): string {
  const inner =
    options.limit === null
      ? bareStatement(sql)
      : `select * from (\n${bareStatement(sql)}\n) dbt_limited limit ${options.limit}`;
  return [
    'select',
    `  ${options.failCalc} as failures,`,
    `  ${options.failCalc} ${options.warnIf} as should_warn,`,
    `  ${options.failCalc} ${options.errorIf} as should_error`,
    'from (',
    inner,
    ') dbt_internal_test',
  ].join('\n');
}

/** Split a hook into statements on top-level semicolons (quotes, backquotes and comments respected). */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      current += ch;
      if (ch === '\\' && quote !== '`' && i + 1 < sql.length) {
        current += sql[++i];
      } else if (ch === quote) {
        quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      current += ch;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      current += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === ';') {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '' && !/^(--[^\n]*\s*)+$/.test(s));
}

/**
 * Staging table DDL and partition statements for a landing declaration. Pure: statements as strings,
 * engine differences from the adapter's capability flags.
 */
import type { AdapterCapabilities } from '../../adapters/types.js';
import type { LandingDeclaration } from '../landing/types.js';

/** The partition columns every staging table has: `dt=YYYY-MM-DD/hr=HH`. */
export const PARTITION_COLUMNS = ['dt', 'hr'] as const;

export type PartitionValues = Record<string, string>;

export function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function tableName(declaration: LandingDeclaration): string {
  return `${quoteIdent(declaration.stagingTable.schema)}.${quoteIdent(declaration.stagingTable.name)}`;
}

/**
 * The type a staging column gets. CSV staging tables are raw text: OpenCSVSerde returns STRING
 * whatever the DDL says, so the DDL says string and models cast (the declared type goes into the
 * column comment). JSON lines keep their declared types: the JSON SerDe honours them. Parquet
 * files carry the declared types (stream/parquet.ts), so the DDL says the same.
 */
export function stagingColumnType(declaration: LandingDeclaration, type: string): string {
  return declaration.format === 'csv' ? 'string' : type;
}

type Caps = Pick<AdapterCapabilities, 'supportsSkipHeaderLine' | 'supportsHiveJsonSerde'>;

/** `CREATE EXTERNAL TABLE IF NOT EXISTS` for the staging table, partitioned by dt and hr. */
export function createStagingTableSql(declaration: LandingDeclaration, capabilities: Caps): string {
  const columns = declaration.columns
    .map(
      (c) =>
        `  ${quoteIdent(c.name)} ${stagingColumnType(declaration, c.type)} COMMENT ${quoteString(
          `${c.type}${c.required ? ', required' : ''}`,
        )}`,
    )
    .join(',\n');
  const partitions = PARTITION_COLUMNS.map((p) => `${quoteIdent(p)} string`).join(', ');
  const location = quoteString(declaration.lakePath);
  const name = tableName(declaration);
  const comment = quoteString(`landed by qdbt ingest (${declaration.kind}) from ${declaration.file}`);
  const landing = `'qdbt.landing' = ${quoteString(declaration.uniqueId)}`;
  // Spark's own data sources (USING ...): partition columns are declared with the others.
  const sparkTable = (using: string, options?: string) =>
    [
      `CREATE TABLE IF NOT EXISTS ${name} (\n${columns},\n  ${partitions.replace(', ', ',\n  ')}\n)`,
      `USING ${using}`,
      ...(options ? [`OPTIONS (${options})`] : []),
      `PARTITIONED BY (${PARTITION_COLUMNS.map(quoteIdent).join(', ')})`,
      `COMMENT ${comment}`,
      `LOCATION ${location}`,
    ].join('\n');
  const hiveTable = (storage: string[], properties: string) =>
    [
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${name} (\n${columns}\n)`,
      `COMMENT ${comment}`,
      `PARTITIONED BY (${partitions})`,
      ...storage,
      `LOCATION ${location}`,
      `TBLPROPERTIES (${properties})`,
    ].join('\n');
  if (declaration.format === 'csv') {
    const csv = declaration.csv ?? { delimiter: ',', quote: '"', header: true };
    // Spark ignores skip.header.line.count on Hive text tables: its own CSV source reads headers.
    if (!capabilities.supportsSkipHeaderLine)
      return sparkTable(
        'csv',
        `header ${quoteString(String(csv.header))}, sep ${quoteString(csv.delimiter)}, quote ${quoteString(csv.quote)}, escape ${quoteString(csv.quote)}`,
      );
    return hiveTable(
      [
        `ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'`,
        `WITH SERDEPROPERTIES ('separatorChar' = ${quoteString(csv.delimiter)}, 'quoteChar' = ${quoteString(csv.quote)}, 'escapeChar' = '\\\\')`,
        `STORED AS TEXTFILE`,
      ],
      `'skip.header.line.count' = '${csv.header ? 1 : 0}', ${landing}`,
    );
  }
  if (declaration.fileFormat === 'parquet') {
    if (!capabilities.supportsHiveJsonSerde) return sparkTable('parquet');
    return hiveTable([`STORED AS PARQUET`], landing);
  }
  if (!capabilities.supportsHiveJsonSerde) return sparkTable('json');
  return hiveTable(
    [`ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.JsonSerDe'`, `STORED AS TEXTFILE`],
    landing,
  );
}

export function partitionSpec(values: PartitionValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${quoteIdent(k)} = ${quoteString(v)}`)
    .join(', ');
}

/** `dt=2024-01-05/hr=07`: the folder name of a partition under the table's location. */
export function partitionPath(values: PartitionValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join('/');
}

/** Parses `dt=2024-01-05/hr=07` (or `dt=2024-01-05,hr=07`) into values. */
export function parsePartitionPath(text: string): PartitionValues {
  const values: PartitionValues = {};
  for (const part of text.split(/[/,]/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`'${part}' is not key=value`);
    values[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return values;
}

export function addPartitionSql(
  declaration: LandingDeclaration,
  values: PartitionValues,
  location: string,
): string {
  return `ALTER TABLE ${tableName(declaration)} ADD IF NOT EXISTS PARTITION (${partitionSpec(values)}) LOCATION ${quoteString(location)}`;
}

export function setPartitionLocationSql(
  declaration: LandingDeclaration,
  values: PartitionValues,
  location: string,
): string {
  return `ALTER TABLE ${tableName(declaration)} PARTITION (${partitionSpec(values)}) SET LOCATION ${quoteString(location)}`;
}

/**
 * Registering landed data with the engine: the external staging table of a landing declaration
 * (created from the declaration when missing) and its partitions. Used by batch and stream ingest
 * and by compaction.
 */
import type { Adapter } from '../../adapters/types.js';
import { QdbtError } from '../../errors.js';
import type { LandingDeclaration } from '../landing/types.js';
import {
  addPartitionSql,
  createStagingTableSql,
  partitionSpec,
  setPartitionLocationSql,
  tableName,
  type PartitionValues,
} from './ddl.js';

export * from './ddl.js';

/** The slice of an Adapter registration needs (a HiveConnection wrapper fits too). */
export type RegisterAdapter = Pick<Adapter, 'execute' | 'capabilities' | 'createSchemaIfMissing'> &
  Partial<Pick<Adapter, 'invalidate'>>;

/**
 * Whether a table is stored as Parquet, from its `DESCRIBE FORMATTED` rows (Hive's InputFormat,
 * Spark's Provider); null when the rows do not say.
 */
export function storedAsParquet(rows: unknown[][]): boolean | null {
  for (const row of rows) {
    const key = String(row[0] ?? '').trim();
    if (key === 'InputFormat:' || key === 'InputFormat' || key === 'Provider')
      return /parquet/i.test(String(row[1] ?? ''));
  }
  return null;
}

/**
 * Creates the staging table's schema and the table itself when missing. Returns the DDL it ran.
 * For a stream, an existing table stored otherwise than the declaration's file_format is an error:
 * `IF NOT EXISTS` would keep it, and Hive would fail on every file landed from then on.
 */
export async function ensureStagingTable(
  adapter: RegisterAdapter,
  declaration: LandingDeclaration,
): Promise<string> {
  await adapter.createSchemaIfMissing(declaration.stagingTable.schema);
  const sql = createStagingTableSql(declaration, adapter.capabilities);
  await adapter.execute(sql);
  adapter.invalidate?.(declaration.stagingTable.schema, declaration.stagingTable.name);
  if (declaration.kind === 'stream') {
    const described = await adapter.execute(`DESCRIBE FORMATTED ${tableName(declaration)}`);
    const parquet = storedAsParquet(described.rows);
    const wanted = declaration.fileFormat === 'parquet';
    if (parquet !== null && parquet !== wanted)
      throw new QdbtError(
        'project',
        `landing of source ${declaration.sourceName}.${declaration.tableName}: the staging table ${declaration.stagingTable.schema}.${declaration.stagingTable.name} is ${parquet ? 'stored as Parquet' : 'not stored as Parquet'}, but 'file_format' is ${declaration.fileFormat}`,
        {
          location: { file: declaration.file },
          hint: 'A landed table keeps its file format: land into a new lake_path and staging table (identifier), or drop the table and move its old files away first.',
        },
      );
  }
  return sql;
}

/** `ALTER TABLE ... ADD IF NOT EXISTS PARTITION (dt=..., hr=...) LOCATION ...`. */
export async function registerPartition(
  adapter: RegisterAdapter,
  declaration: LandingDeclaration,
  partitionValues: PartitionValues,
  location: string,
): Promise<void> {
  await adapter.execute(addPartitionSql(declaration, partitionValues, location));
}

/** Points an existing partition at another folder: one metastore update, atomic for readers. */
export async function setPartitionLocation(
  adapter: RegisterAdapter,
  declaration: LandingDeclaration,
  partitionValues: PartitionValues,
  location: string,
): Promise<void> {
  await adapter.execute(setPartitionLocationSql(declaration, partitionValues, location));
}

/** The partition's location as the metastore has it (a full URI), or null when not registered. */
export async function partitionLocation(
  adapter: RegisterAdapter,
  declaration: LandingDeclaration,
  partitionValues: PartitionValues,
): Promise<string | null> {
  try {
    const result = await adapter.execute(
      `DESCRIBE FORMATTED ${tableName(declaration)} PARTITION (${partitionSpec(partitionValues)})`,
    );
    for (const row of result.rows) {
      const key = String(row[0] ?? '').trim();
      if (key === 'Location:' || key === 'Location') return String(row[1] ?? '').trim() || null;
    }
    return null;
  } catch (error) {
    if (/partition|not found|does not exist|invalid/i.test((error as Error).message)) return null;
    throw error;
  }
}

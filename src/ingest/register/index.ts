/**
 * Registering landed data with the engine: the external staging table of a landing declaration
 * (created from the declaration when missing) and its partitions. Used by batch and stream ingest
 * and by compaction.
 */
import type { Adapter } from '../../adapters/types.js';
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

/** Creates the staging table's schema and the table itself when missing. Returns the DDL it ran. */
export async function ensureStagingTable(
  adapter: RegisterAdapter,
  declaration: LandingDeclaration,
): Promise<string> {
  await adapter.createSchemaIfMissing(declaration.stagingTable.schema);
  const sql = createStagingTableSql(declaration, adapter.capabilities);
  await adapter.execute(sql);
  adapter.invalidate?.(declaration.stagingTable.schema, declaration.stagingTable.name);
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

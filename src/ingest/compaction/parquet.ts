/**
 * Merging Parquet files for compaction: read each (parquet-wasm), concatenate the Arrow tables,
 * write one file. The writer is loaded on first use (a 5 MB WebAssembly binary).
 */
import type { WebHdfsClient } from '../hdfs/webhdfs.js';

type ParquetModule = typeof import('../stream/parquet.js');
let loaded: Promise<ParquetModule> | null = null;
const parquetModule = (): Promise<ParquetModule> => (loaded ??= import('../stream/parquet.js'));

/** `name:type` of each column, in order: files merge only when these are equal. */
export function columnsSignature(fields: Array<{ name: string; type: unknown }>): string {
  return fields.map((f) => `${f.name}:${String(f.type)}`).join(', ');
}

/**
 * The files' rows as one Parquet file, and how many rows were read; or why they cannot be merged
 * (different columns).
 */
export async function mergeParquet(
  client: Pick<WebHdfsClient, 'read'>,
  paths: string[],
): Promise<{ data: Buffer; rows: number } | { mismatch: string }> {
  const { readParquetTable, writeParquetTable } = await parquetModule();
  const tables = [];
  let first: string | null = null;
  for (const path of paths) {
    const table = readParquetTable(await client.read(path));
    const signature = columnsSignature(table.schema.fields);
    first ??= signature;
    if (signature !== first)
      return {
        mismatch: `${path.slice(path.lastIndexOf('/') + 1)} has other columns (${signature}) than ${paths[0]!.slice(paths[0]!.lastIndexOf('/') + 1)} (${first}); left as it is`,
      };
    tables.push(table);
  }
  const merged = tables.length === 1 ? tables[0]! : tables[0]!.concat(...tables.slice(1));
  return { data: writeParquetTable(merged), rows: merged.numRows };
}

/** Rows of a Parquet file in HDFS, by decoding it whole (a file that does not decode throws). */
export async function countParquetRows(client: Pick<WebHdfsClient, 'read'>, path: string): Promise<number> {
  const { parquetRowCount } = await parquetModule();
  return parquetRowCount(await client.read(path));
}

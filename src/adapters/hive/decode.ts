/**
 * Decoding HiveServer2 row sets from the raw column values, so that BIGINT and DECIMAL stay exact
 * (hive-driver's own conversion turns BIGINT past 2^53 into Infinity and DECIMAL into a float).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Loaded on first use: hive-driver (and Thrift) take ~100 ms to load.
const thriftTypes = (): { TTypeId: Record<string, number> } =>
  (require('hive-driver') as { thrift: { TCLIService_types: { TTypeId: Record<string, number> } } }).thrift
    .TCLIService_types;

/**
 * A decoded value. BIGINT is a `bigint`; DECIMAL, DATE, TIMESTAMP, INTERVAL and the complex types
 * (ARRAY, MAP, STRUCT, as JSON text) are strings exactly as the server sent them; BINARY a Buffer.
 */
export type HiveValue = string | number | bigint | boolean | Buffer | null;

export interface HiveColumn {
  /** As the server names it (`t.id` on Hive, `id` on Spark). */
  name: string;
  /** Hive type name, lower case: `bigint`, `decimal`, `string`, `array`... */
  type: string;
}

export interface TableSchemaLike {
  columns: ColumnDescLike[];
}
export interface ColumnDescLike {
  columnName: string;
  position: number;
  typeDesc: { types: Array<{ primitiveEntry?: { type: number } }> };
}
export type RawColumnLike = Record<string, { values: unknown[]; nulls?: Buffer } | null | undefined>;
export interface RowSetLike {
  columns?: RawColumnLike[];
}

let typeNames: Record<number, string> | null = null;
function typeNameById(): Record<number, string> {
  return (typeNames ??= Object.fromEntries(
    Object.entries(thriftTypes().TTypeId as Record<string, number>).map(([k, v]) => [
      v,
      k.replace(/_TYPE$/, '').toLowerCase(),
    ]),
  ));
}

export function decodeSchema(schema: TableSchemaLike): HiveColumn[] {
  return [...schema.columns]
    .sort((a, b) => a.position - b.position)
    .map((c) => ({ name: c.columnName, type: typeNameOf(c) }));
}

function typeNameOf(column: ColumnDescLike): string {
  const type = column.typeDesc.types[0]?.primitiveEntry?.type;
  return type === undefined ? 'unknown' : (typeNameById()[type] ?? 'unknown');
}

/** Decodes hive-driver's fetched row sets column by column. Exported for unit tests. */
export function decodeRows(schema: TableSchemaLike, rowSets: RowSetLike[]): HiveValue[][] {
  const descriptors = [...schema.columns].sort((a, b) => a.position - b.position);
  const types = descriptors.map(typeNameOf);
  const rows: HiveValue[][] = [];
  for (const rowSet of rowSets) {
    const columns = rowSet.columns ?? [];
    const decoded = columns.map((column, i) => decodeColumn(column, types[i] ?? 'string'));
    const count = decoded.reduce((n, c) => Math.max(n, c.length), 0);
    for (let r = 0; r < count; r++) rows.push(decoded.map((c) => c[r] ?? null));
  }
  return rows;
}

function decodeColumn(column: RawColumnLike, type: string): HiveValue[] {
  const [kind, data] = Object.entries(column).find(([, v]) => v !== null && v !== undefined) ?? [];
  if (!kind || !data) return [];
  const values = data.values as unknown[];
  const nulls = data.nulls as Buffer | undefined;
  return values.map((value, i) => {
    if (nulls && nulls.length > i >> 3 && (nulls[i >> 3]! & (1 << (i & 7))) !== 0) return null;
    if (kind === 'i64Val') {
      const raw = value as { buffer: Buffer; offset: number };
      return raw.buffer.readBigInt64BE(raw.offset);
    }
    if (kind === 'stringVal' || kind === 'binaryVal' || kind === 'boolVal') return value as HiveValue;
    if (kind === 'byteVal' || kind === 'i16Val' || kind === 'i32Val') return Number(value);
    if (kind === 'doubleVal') return type === 'float' ? Math.fround(value as number) : (value as number);
    return value as HiveValue;
  });
}

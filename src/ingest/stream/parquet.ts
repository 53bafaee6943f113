/**
 * Parquet data files for `file_format: parquet` landings: the rows of an event-hour folder are
 * buffered column by column (typed arrays and UTF-8 bytes, no per-row objects) and written as one
 * Parquet file when the range lands, through apache-arrow (the columns) and parquet-wasm (the file).
 *
 * Types, as Hive 4.0.1 reads them back (checked against the real server): string -> BYTE_ARRAY
 * UTF8; tinyint/smallint/int -> INT32 (INT_8/INT_16); bigint -> INT64; float/double -> FLOAT/DOUBLE;
 * decimal(p,s) -> DECIMAL(p,s); boolean -> BOOLEAN; date -> INT32 DATE; timestamp -> INT64
 * TIMESTAMP(MICROS, UTC), which Hive shows as the same UTC wall clock the JSON lines path writes,
 * whatever the session's time zone. Pages are Snappy-compressed; writer version 1 (data page v1),
 * which every Hive release reads.
 *
 * This module loads a 5 MB WebAssembly binary: import it only for Parquet landings.
 */
import {
  Bool,
  DateDay,
  Decimal,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  WriterVersion,
  readParquet,
  writeParquet,
} from 'parquet-wasm';
import type { LandingColumn } from '../landing/types.js';
import { decimalType } from './events.js';
import type { FolderRows } from './range.js';

export type ParquetKind =
  | 'utf8'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'decimal'
  | 'bool'
  | 'date32'
  | 'timestamp';

export interface ParquetColumn {
  name: string;
  kind: ParquetKind;
  /** decimal only. */
  precision: number;
  scale: number;
}

/** The Parquet column of a declared Hive type; throws for types the writer does not map. */
export function parquetColumn(column: LandingColumn): ParquetColumn {
  const type = column.type.trim().toLowerCase();
  const simple: Record<string, ParquetKind> = {
    string: 'utf8',
    tinyint: 'int8',
    smallint: 'int16',
    int: 'int32',
    integer: 'int32',
    bigint: 'int64',
    float: 'float32',
    double: 'float64',
    boolean: 'bool',
    date: 'date32',
    timestamp: 'timestamp',
  };
  let kind: ParquetKind | undefined = simple[type];
  if (!kind && /^(varchar|char)\(\d+\)$/.test(type)) kind = 'utf8';
  const decimal = decimalType(type);
  if (decimal) return { name: column.name, kind: 'decimal', ...decimal };
  if (!kind)
    throw new Error(
      `column '${column.name}' has type '${column.type}', which Parquet landing does not write`,
    );
  return { name: column.name, kind, precision: 0, scale: 0 };
}

export function arrowType(column: ParquetColumn): DataType {
  switch (column.kind) {
    case 'utf8':
      return new Utf8();
    case 'int8':
      return new Int8();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'decimal':
      return new Decimal(column.scale, column.precision, 128);
    case 'bool':
      return new Bool();
    case 'date32':
      return new DateDay();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
  }
}

type Fixed = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | Uint8Array;

function fixedArray(kind: ParquetKind, length: number): Fixed {
  switch (kind) {
    case 'int8':
      return new Int8Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'int32':
    case 'date32':
      return new Int32Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int64':
    case 'timestamp':
      return new BigInt64Array(length);
    case 'decimal':
      return new BigInt64Array(length * 2);
    default:
      return new Uint8Array(length);
  }
}

function grow<T extends Fixed | Int32Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  (bigger as unknown as { set(a: T): void }).set(array);
  return bigger;
}

/** Bit-packs one byte per row (0 or 1) the way Arrow lays out validity and booleans. */
export function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const bits = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bytes[i]) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/** One column's values, appended row by row. */
class ColumnBuffer {
  length = 0;
  nulls = 0;
  private valid = new Uint8Array(1024);
  private fixed: Fixed;
  /** utf8: the bytes and the Arrow offsets. */
  private bytes: Buffer = Buffer.alloc(0);
  private offsets = new Int32Array(1025);
  private pos = 0;

  constructor(readonly column: ParquetColumn) {
    this.fixed = fixedArray(column.kind, column.kind === 'utf8' ? 0 : 1024);
    if (column.kind === 'utf8') this.bytes = Buffer.allocUnsafe(64 * 1024);
  }

  /** Appends a value as validateEventValues typed it (null for none); returns the bytes added. */
  add(value: unknown): number {
    const i = this.length++;
    if (i >= this.valid.length) this.valid = grow(this.valid, i + 1);
    const kind = this.column.kind;
    if (kind === 'utf8') {
      this.offsets = grow(this.offsets, i + 2);
      let added = 0;
      if (value !== null && value !== undefined) {
        const text = value as string;
        if (this.pos + text.length * 3 > this.bytes.length) {
          const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.pos + text.length * 3));
          this.bytes.copy(bigger, 0, 0, this.pos);
          this.bytes = bigger;
        }
        added = this.bytes.write(text, this.pos, 'utf8');
        this.pos += added;
        this.valid[i] = 1;
      } else this.nulls++;
      this.offsets[i + 1] = this.pos;
      return added + 5;
    }
    this.fixed = grow(this.fixed, kind === 'decimal' ? 2 * i + 2 : i + 1);
    if (value === null || value === undefined) {
      this.nulls++;
      this.valid[i] = 0;
      if (kind === 'decimal') {
        (this.fixed as BigInt64Array)[2 * i] = 0n;
        (this.fixed as BigInt64Array)[2 * i + 1] = 0n;
      } else if (this.fixed instanceof BigInt64Array) this.fixed[i] = 0n;
      else this.fixed[i] = 0;
      return 1;
    }
    this.valid[i] = 1;
    switch (kind) {
      case 'int64':
        (this.fixed as BigInt64Array)[i] = typeof value === 'bigint' ? value : BigInt(value as number);
        return 9;
      case 'timestamp':
        (this.fixed as BigInt64Array)[i] = BigInt(value as number) * 1000n;
        return 9;
      case 'decimal': {
        // Decimal128 little-endian: the low 64 bits, then the high 64 bits (two's complement).
        const unscaled = value as bigint;
        const fixed = this.fixed as BigInt64Array;
        fixed[2 * i] = BigInt.asIntN(64, unscaled);
        fixed[2 * i + 1] = BigInt.asIntN(64, unscaled >> 64n); // floors: the sign-extended high word
        return 17;
      }
      case 'bool':
        this.fixed[i] = value ? 1 : 0;
        return 2;
      default:
        (this.fixed as Exclude<Fixed, BigInt64Array>)[i] = value as number;
        return this.fixed.BYTES_PER_ELEMENT + 1;
    }
  }

  toData(): Data {
    const type = arrowType(this.column);
    const length = this.length;
    const nullCount = this.nulls;
    const nullBitmap = nullCount > 0 ? packBits(this.valid, length) : undefined;
    switch (this.column.kind) {
      case 'utf8':
        return makeData({
          type: type as Utf8,
          length,
          nullCount,
          nullBitmap,
          valueOffsets: this.offsets.subarray(0, length + 1),
          data: this.bytes.subarray(0, this.pos),
        });
      case 'bool':
        return makeData({
          type: type as Bool,
          length,
          nullCount,
          nullBitmap,
          data: packBits(this.fixed as Uint8Array, length),
        });
      case 'decimal':
        return makeData({
          type: type as Decimal,
          length,
          nullCount,
          nullBitmap,
          data: new Uint32Array(this.fixed.buffer, 0, length * 4),
        });
      default:
        return makeData({
          type: type as Int32,
          length,
          nullCount,
          nullBitmap,
          data: this.fixed.subarray(0, length) as Int32Array,
        });
    }
  }
}

/** The rows of one event-hour folder, written as one Parquet file. */
export class ParquetRows implements FolderRows<unknown[]> {
  private readonly buffers: ColumnBuffer[];
  rows = 0;

  constructor(readonly columns: ParquetColumn[]) {
    this.buffers = columns.map((c) => new ColumnBuffer(c));
  }

  add(values: unknown[]): number {
    let bytes = 0;
    for (let i = 0; i < this.buffers.length; i++) bytes += this.buffers[i]!.add(values[i]);
    this.rows++;
    return bytes;
  }

  toTable(): Table {
    const vectors: Record<string, Vector> = {};
    for (const buffer of this.buffers) vectors[buffer.column.name] = makeVector(buffer.toData());
    return new Table(vectors);
  }

  toBuffer(): Buffer {
    return writeParquetTable(this.toTable());
  }
}

function writerProperties() {
  return new WriterPropertiesBuilder()
    .setWriterVersion(WriterVersion.V1)
    .setCompression(Compression.SNAPPY)
    .build();
}

/** An Arrow table as a Parquet file's bytes. */
export function writeParquetTable(table: Table): Buffer {
  const wasm = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  const bytes = writeParquet(wasm, writerProperties());
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A Parquet file's rows as an Arrow table. */
export function readParquetTable(bytes: Uint8Array): Table {
  return tableFromIPC(readParquet(bytes).intoIPCStream());
}

/** Rows of a Parquet file, decoding every page (a file that does not decode throws). */
export function parquetRowCount(bytes: Uint8Array): number {
  const table = readParquet(bytes);
  try {
    let rows = 0;
    for (const batch of table.recordBatches()) {
      rows += batch.numRows;
      batch.free();
    }
    return rows;
  } finally {
    table.free();
  }
}

import { describe, expect, it } from 'vitest';
import type { LandingColumn } from '../../../../src/ingest/landing/types.js';
import {
  compileEventSchema,
  decimalUnscaled,
  validateEventValues,
} from '../../../../src/ingest/stream/events.js';
import {
  ParquetRows,
  packBits,
  parquetColumn,
  parquetRowCount,
  readParquetTable,
} from '../../../../src/ingest/stream/parquet.js';

const col = (name: string, type: string, required = false): LandingColumn => ({
  name,
  type,
  required,
  aliases: [],
});
const columns = [
  col('id', 'string', true),
  col('at', 'timestamp', true),
  col('big', 'bigint'),
  col('small', 'smallint'),
  col('n', 'int'),
  col('price', 'decimal(12,2)'),
  col('wide', 'decimal(38,6)'),
  col('ratio', 'double'),
  col('day', 'date'),
  col('ok', 'boolean'),
  col('meta', 'string'),
];
const schema = compileEventSchema({ columns, partitioning: { kind: 'event_time', field: 'at' } });

function rowsOf(events: Array<Record<string, unknown>>): ParquetRows {
  const rows = new ParquetRows(columns.map(parquetColumn));
  for (const event of events) {
    const result = validateEventValues(schema, JSON.stringify(event), 0);
    if (!result.ok) throw new Error(result.reason);
    rows.add(result.values);
  }
  return rows;
}

/** Rows read back from the Parquet bytes, as plain values (BigInt and decimals as text). */
function readBack(bytes: Buffer): Array<Record<string, unknown>> {
  const table = readParquetTable(bytes);
  return table.toArray().map((row: { toJSON(): Record<string, unknown> }) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row.toJSON())) out[key] = value;
    return out;
  });
}

describe('Parquet rows', () => {
  it('round-trips every declared type exactly, nulls included', () => {
    const bytes = rowsOf([
      {
        id: 'é€ 1',
        at: '2024-05-01T13:45:10.250Z',
        big: '9007199254740993',
        small: -32768,
        n: 2147483647,
        price: '1234567890.125',
        wide: '-12345678901234567890123456789012.345678',
        ratio: 0.1,
        day: '1999-12-31',
        ok: true,
        meta: { a: [1, 2] },
      },
      { id: 'two', at: 1714571110000 },
    ]).toBuffer();
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    const table = readParquetTable(bytes);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Utf8',
      'at:Timestamp<MICROSECOND, UTC>',
      'big:Int64',
      'small:Int16',
      'n:Int32',
      'price:Decimal[12e+2]',
      'wide:Decimal[38e+6]',
      'ratio:Float64',
      'day:Date32<DAY>',
      'ok:Bool',
      'meta:Utf8',
    ]);
    const first = table.get(0)!;
    expect(first.id).toBe('é€ 1');
    expect(table.getChild('at')!.data[0]!.values[0]).toBe(1714571110250000n);
    expect(first.big).toBe(9007199254740993n);
    expect(first.small).toBe(-32768);
    expect(first.n).toBe(2147483647);
    // Decimal128 words, low first: the unscaled values 123456789013 (half up) and the negative one.
    const words = (name: string, row: number) => {
      const w = table.getChild(name)!.data[0]!.values as Uint32Array;
      const u = [0, 1, 2, 3].map((k) => BigInt(w[row * 4 + k]!));
      return BigInt.asIntN(128, u[0]! | (u[1]! << 32n) | (u[2]! << 64n) | (u[3]! << 96n));
    };
    expect(words('price', 0)).toBe(123456789013n);
    expect(words('wide', 0)).toBe(-12345678901234567890123456789012345678n);
    expect(first.ratio).toBe(0.1);
    expect(table.getChild('day')!.data[0]!.values[0]).toBe(10956);
    expect(first.ok).toBe(true);
    expect(first.meta).toBe('{"a":[1,2]}');
    const second = readBack(bytes)[1]!;
    expect(second).toMatchObject({ id: 'two', big: null, price: null, day: null, ok: null, meta: null });
    expect(table.getChild('at')!.data[0]!.values[1]).toBe(1714571110000000n);
  });

  it('grows past its first buffers and counts the rows it wrote', () => {
    const events = Array.from({ length: 5000 }, (_, i) => ({
      id: `e${i}-${'x'.repeat(i % 50)}`,
      at: Date.UTC(2024, 0, 1) + i,
      big: i % 3 ? i : null,
      ok: i % 2 === 0,
      price: `${i}.5`,
    }));
    const bytes = rowsOf(events).toBuffer();
    expect(parquetRowCount(bytes)).toBe(5000);
    const back = readBack(bytes);
    expect(back[4999]).toMatchObject({ id: `e4999-${'x'.repeat(4999 % 50)}`, big: 4999n, ok: false });
    expect(back[3]!.big).toBeNull();
    expect(back.filter((r) => r.ok === true)).toHaveLength(2500);
  });

  it('a file that is not Parquet does not count', () => {
    expect(() => parquetRowCount(Buffer.from('{"a":1}\n'))).toThrow();
  });

  it('packs bits the way Arrow reads them', () => {
    expect([...packBits(Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 0, 1]), 9)]).toEqual([0b1101, 1]);
  });
});

describe('typed event values', () => {
  const check = (event: Record<string, unknown>) =>
    validateEventValues(schema, JSON.stringify({ id: 'x', at: '2024-05-01T13:00:00Z', ...event }), 0);

  it('keeps the partition rule of the JSON path', () => {
    expect(check({})).toMatchObject({ ok: true, partition: 'dt=2024-05-01/hr=13' });
  });

  it('rejects what the column cannot hold, with the column named', () => {
    expect(check({ n: 2147483648 })).toMatchObject({ ok: false, reason: /'n' 2147483648 is out of/ });
    expect(check({ small: '40000' })).toMatchObject({ ok: false, reason: /'small'.*out of/ });
    expect(check({ price: '9999999999.995' })).toMatchObject({ ok: false, reason: /'price'.*does not fit/ });
    // A JSON number past 2^53 has lost its digits already: refused rather than landed rounded.
    const unsafe = '{"id": "x", "at": "2024-05-01T13:00:00Z", "big": 9007199254740993}';
    expect(validateEventValues(schema, unsafe, 0)).toMatchObject({
      ok: false,
      reason: /'big' must be a whole/,
    });
  });
});

describe('decimalUnscaled', () => {
  it('scales exactly and rounds half away from zero, as Hive does', () => {
    expect(decimalUnscaled('12.345', 12, 2)).toBe(1235n);
    expect(decimalUnscaled('-12.345', 12, 2)).toBe(-1235n);
    expect(decimalUnscaled('12.344', 12, 2)).toBe(1234n);
    expect(decimalUnscaled('0.005', 5, 2)).toBe(1n);
    expect(decimalUnscaled('0.0049', 5, 2)).toBe(0n);
    expect(decimalUnscaled('1.5e3', 12, 2)).toBe(150000n);
    expect(decimalUnscaled('1e-7', 12, 2)).toBe(0n);
    expect(decimalUnscaled('00042', 5, 0)).toBe(42n);
    expect(decimalUnscaled('.5', 3, 1)).toBe(5n);
    expect(decimalUnscaled(String(0.1 + 0.2), 12, 2)).toBe(30n);
    expect(decimalUnscaled('99999999999999999999999999999999.999999', 38, 6)).toBe(
      99999999999999999999999999999999999999n,
    );
  });

  it('refuses what needs more digits than the precision, and what is no number', () => {
    expect(decimalUnscaled('1000', 5, 2)).toBeNull();
    expect(decimalUnscaled('999.995', 5, 2)).toBeNull();
    expect(decimalUnscaled('1e400', 38, 0)).toBeNull();
    expect(decimalUnscaled('abc', 5, 2)).toBeNull();
    expect(decimalUnscaled('.', 5, 2)).toBeNull();
    expect(decimalUnscaled('1e-400', 5, 2)).toBe(0n);
  });
});

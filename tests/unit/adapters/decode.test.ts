import { describe, expect, it } from 'vitest';
import { decodeRows, decodeSchema } from '../../../src/adapters/hive/decode.js';

// TTypeId values from TCLIService.thrift.
const BIGINT = 4;
const STRING = 7;
const DECIMAL = 15;
const INT = 3;

function col(name: string, type: number, position: number) {
  return { columnName: name, position, typeDesc: { types: [{ primitiveEntry: { type } }] } };
}

function int64(value: bigint): { buffer: Buffer; offset: number } {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(value);
  return { buffer, offset: 0 };
}

describe('HiveServer2 row decoding', () => {
  const schema = {
    columns: [col('t.id', BIGINT, 1), col('t.amount', DECIMAL, 2), col('t.n', INT, 3), col('t.s', STRING, 4)],
  };

  it('keeps BIGINT beyond 2^53 and DECIMAL exact, and honours the null bitmap', () => {
    const rows = decodeRows(schema, [
      {
        columns: [
          {
            i64Val: {
              values: [int64(9007199254740993n), int64(-9223372036854775808n), int64(0n)],
              nulls: Buffer.from([0b100]),
            },
          },
          {
            stringVal: {
              values: ['1234567890123456789012345678.0123456789', '-0.0000000001', ''],
              nulls: Buffer.from([0b100]),
            },
          },
          { i32Val: { values: [1, 2, 0], nulls: Buffer.from([0b100]) } },
          { stringVal: { values: ['a', '', ''], nulls: Buffer.from([0b110]) } },
        ],
      },
    ]);
    expect(rows).toEqual([
      [9007199254740993n, '1234567890123456789012345678.0123456789', 1, 'a'],
      [-9223372036854775808n, '-0.0000000001', 2, null],
      [null, null, null, null],
    ]);
  });

  it('names and types the columns', () => {
    expect(decodeSchema(schema)).toEqual([
      { name: 't.id', type: 'bigint' },
      { name: 't.amount', type: 'decimal' },
      { name: 't.n', type: 'int' },
      { name: 't.s', type: 'string' },
    ]);
  });

  it('concatenates several fetched row sets', () => {
    const one = { columns: [{ i32Val: { values: [1, 2], nulls: Buffer.alloc(1) } }] };
    const two = { columns: [{ i32Val: { values: [3], nulls: Buffer.alloc(1) } }] };
    expect(decodeRows({ columns: [col('x', INT, 1)] }, [one, two])).toEqual([[1], [2], [3]]);
  });
});

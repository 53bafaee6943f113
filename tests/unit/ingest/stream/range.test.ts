import { describe, expect, it } from 'vitest';
import { OpenRange, linesText, rollReason } from '../../../../src/ingest/stream/range.js';

const policy = { maxBytes: 1000, maxRecords: 5, maxAgeMs: 10_000 };
const letter = { topic: 't', partition: 0, offset: '3', timestamp: '0', key: null, reason: 'x', value: 'y' };

describe('OpenRange and the roll policy', () => {
  it('tracks offsets, folders, dead letters and bytes', () => {
    const range = new OpenRange('t', 0);
    expect(range.empty).toBe(true);
    range.addGood(7, 'dt=2024-01-01/hr=00', '{"a":1}', 1000);
    range.addGood(8, 'dt=2024-01-01/hr=01', '{"a":2}', 1001);
    range.addDead(9, letter, 1002);
    expect(range.id).toEqual({ topic: 't', partition: 0, start: 7, end: 9 });
    expect([...range.folders.keys()]).toEqual(['dt=2024-01-01/hr=00', 'dt=2024-01-01/hr=01']);
    expect(range.records).toBe(3);
    expect(range.good).toBe(2);
    expect(range.dead).toHaveLength(1);
    expect(range.bytes).toBe(16 + JSON.stringify(letter).length + 1);
  });

  it('rolls by size, by count and by age, and never an empty range', () => {
    const range = new OpenRange('t', 0);
    expect(rollReason(range, policy, 1e12)).toBeNull();
    range.addGood(0, 'f', 'x'.repeat(10), 0);
    expect(rollReason(range, policy, 9_999)).toBeNull();
    expect(rollReason(range, policy, 10_000)).toBe('age');
    for (let i = 1; i < 5; i++) range.addGood(i, 'f', 'x', 0);
    expect(rollReason(range, policy, 0)).toBe('records');
    const big = new OpenRange('t', 0);
    big.addGood(0, 'f', 'x'.repeat(1000), 0);
    expect(rollReason(big, policy, 0)).toBe('size');
  });

  it('writes JSON lines with a final newline', () => {
    expect(linesText(['a', 'b'])).toBe('a\nb\n');
    expect(linesText([])).toBe('');
  });
});

/** declarationFingerprint: what a quarantined file was checked against. */
import { describe, expect, it } from 'vitest';
import { declarationFingerprint } from '../../../../src/ingest/batch/records.js';
import type { LandingDeclaration } from '../../../../src/ingest/landing/types.js';

const base = {
  kind: 'batch',
  format: 'csv',
  csv: { delimiter: ',', quote: '"', header: true },
  filePattern: 'tx_*.csv',
  columns: [
    { name: 'id', type: 'string', required: true, aliases: [] },
    { name: 'units', type: 'int', required: false, aliases: ['qty', 'Units_Sold'] },
  ],
  partitioning: { kind: 'ingestion_time' },
  lakePath: '/lake/raw/tx',
  file: 'models/sources.yml',
} as unknown as LandingDeclaration;

const fp = (change: Partial<LandingDeclaration>) => declarationFingerprint({ ...base, ...change });
const column = (i: number, change: object) => base.columns.map((c, j) => (j === i ? { ...c, ...change } : c));

describe('declarationFingerprint', () => {
  it('is short and stable; ignores what does not change the checks', () => {
    expect(fp({})).toMatch(/^[0-9a-f]{16}$/);
    expect(fp({ filePattern: 'other_*.csv', lakePath: '/elsewhere', file: 'x.yml' })).toBe(fp({}));
    expect(fp({ columns: column(1, { aliases: ['units_sold', 'QTY'] }) })).toBe(fp({}));
    expect(fp({ columns: column(1, { type: 'INT' }) })).toBe(fp({}));
  });

  it('changes with the format, CSV options, columns, types, aliases, required flags and event-time field', () => {
    const changes: Array<Partial<LandingDeclaration>> = [
      { format: 'json', csv: null },
      { csv: { delimiter: ';', quote: '"', header: true } },
      { csv: { delimiter: ',', quote: "'", header: true } },
      { csv: { delimiter: ',', quote: '"', header: false } },
      { columns: column(1, { name: 'quantity' }) },
      { columns: column(1, { type: 'bigint' }) },
      { columns: column(1, { required: true }) },
      { columns: column(1, { aliases: ['qty'] }) },
      { columns: [...base.columns, { name: 'price', type: 'double', required: false, aliases: [] }] },
      { partitioning: { kind: 'event_time', field: 'id' } },
    ];
    const all = new Set([fp({}), ...changes.map(fp)]);
    expect(all.size).toBe(changes.length + 1);
  });
});

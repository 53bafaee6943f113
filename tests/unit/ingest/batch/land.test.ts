/** landFile with an in-memory WebHDFS: what lands, what is rejected (with line numbers), what is quarantined. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryHdfs } from './memoryHdfs.js';
import { landFile, type LocalFile } from '../../../../src/ingest/batch/land.js';
import { READ_CHUNK } from '../../../../src/ingest/batch/scan.js';
import type { WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';
import type { LandingColumn, LandingDeclaration } from '../../../../src/ingest/landing/types.js';

const dir = mkdtempSync(join(tmpdir(), 'qdbt-land-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns = [
  { name: 'id', type: 'string', required: true, aliases: [] },
  { name: 'day', type: 'date', required: true, aliases: ['dte'] },
  { name: 'units', type: 'int', required: false, aliases: [] },
  { name: 'price', type: 'decimal(12,2)', required: true, aliases: [] },
  { name: 'address', type: 'string', required: false, aliases: [] },
] as LandingColumn[];

const declaration = {
  kind: 'batch',
  format: 'csv',
  csv: { delimiter: ',', quote: '"', header: true },
  columns,
  sourceName: 'raw',
  tableName: 'tx',
  file: 'models/sources.yml',
  lakePath: '/lake/raw/tx',
  partitioning: { kind: 'ingestion_time' },
} as unknown as LandingDeclaration;

const now = new Date('2024-05-01T07:30:00Z');
const part = '/lake/raw/tx/dt=2024-05-01/hr=07';

function local(name: string, content: string | Buffer): LocalFile {
  const path = join(dir, name);
  writeFileSync(path, content);
  const bytes = Buffer.byteLength(content);
  return { path, relPath: `in/${name}`, bytes, checksum: '0123456789abcdef', version: 1 };
}

async function land(file: LocalFile) {
  const hdfs = new MemoryHdfs();
  const result = await landFile(hdfs as unknown as WebHdfsClient, declaration, file, now);
  return { hdfs, result };
}

/** ~3 MB: rows cross the read chunks. */
function bigRows(n: number, row: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => `${row(i)}\n`).join('');
}

describe('landFile', () => {
  it('lands a file in declared order byte for byte, across read blocks', async () => {
    const body = bigRows(
      40_000,
      (i) => `id-${i},2024-1-${(i % 28) + 1},${i % 9},${i}.50,"${i} Main St, Springfield"`,
    );
    const file = local('tx_1.csv', `id,dte,units,price,address\r\n${body}`);
    const { hdfs, result } = await land(file);
    expect(result).toMatchObject({
      status: 'landed',
      records: [{ rows: 40_000, rows_rejected: 0, normalized: false, original_path: null }],
    });
    expect(hdfs.paths()).toEqual([`${part}/tx_1.01234567.csv`]);
    expect(
      hdfs.files
        .get(`${part}/tx_1.01234567.csv`)!
        .equals(Buffer.from(`id,dte,units,price,address\r\n${body}`)),
    ).toBe(true);
  });

  it('reorders a drifted file, keeps the original, rejects bad rows with their line numbers', async () => {
    const rows = bigRows(30_000, (i) =>
      i === 20_000
        ? `2024-1-5,id-${i},1,abc,`
        : i === 25_000
          ? `2024-1-5,id-${i},1,"2.5`
          : i === 25_001
            ? `",`
            : `2024-1-${(i % 28) + 1},id-${i},${i % 9},${i}.5,"${i} ""Main"" St"`,
    );
    const file = local('tx_2.csv', `dte,id,units,price,address\n${rows}\n`);
    const { hdfs, result } = await land(file);
    if (result.status !== 'landed') throw new Error(JSON.stringify(result));
    const [record] = result.records;
    expect(record).toMatchObject({ rows: 29_997, rows_rejected: 3, normalized: true });
    const landed = hdfs.text(record!.path).split('\n');
    expect(landed[0]).toBe('id,day,units,price,address');
    expect(landed[1]).toBe('id-0,2024-1-1,0,0.5,"0 ""Main"" St"');
    expect(landed).toHaveLength(1 + 29_997 + 1);
    expect(hdfs.text(record!.original_path!)).toBe(`dte,id,units,price,address\n${rows}\n`);
    const rejects = hdfs
      .text(record!.rejects_path!)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rejects).toEqual([
      {
        file: 'in/tx_2.csv',
        line: 20_002,
        reason: "price 'abc' is not a decimal(12,2)",
        raw: '2024-1-5,id-20000,1,abc,',
      },
      {
        file: 'in/tx_2.csv',
        line: 25_002,
        to_line: 25_003,
        reason: 'line break inside a quoted field (Hive reads one row per line)',
        raw: '2024-1-5,id-25000,1,"2.5\n",',
      },
      { file: 'in/tx_2.csv', line: 30_002, reason: 'empty line', raw: '' },
    ]);
  });

  it('checks rows cut by the read chunks: a UTF-8 character, a doubled quote, CRLF, a last bad row without a break', async () => {
    const header = 'id,dte,units,price,address\r\n';
    const special = 'id-s,2024-1-5,1,2.5,"日本 ""x"" é"\r\n';
    for (const shift of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      // Filler rows so that the end of the first chunk falls `shift` bytes before the end of the special row.
      const target = READ_CHUNK - Buffer.byteLength(header) - Buffer.byteLength(special) + shift;
      const rows: string[] = [];
      let size = 0;
      for (let i = 0; size < target - 64; i++) {
        const row = `id-${i},2024-1-${(i % 28) + 1},${i % 9},${i}.5,\r\n`;
        rows.push(row);
        size += row.length;
      }
      rows.push(`pad,2024-1-1,1,1,${'p'.repeat(target - size - 'pad,2024-1-1,1,1,\r\n'.length)}\r\n`);
      const good = `${header}${rows.join('')}${special}id-z,2024-1-1,1,1,z\r\n`;
      expect(Buffer.byteLength(`${header}${rows.join('')}${special}`)).toBe(READ_CHUNK + shift);
      const landed = await land(local(`tx_s${shift}.csv`, good));
      expect(landed.result, `shift ${shift}`).toMatchObject({
        status: 'landed',
        records: [{ rows: rows.length + 2, rows_rejected: 0, normalized: false }],
      });
      const path = (landed.result as { records: Array<{ path: string }> }).records[0]!.path;
      expect(landed.hdfs.files.get(path)!.equals(Buffer.from(good))).toBe(true);

      const bad = await land(local(`tx_b${shift}.csv`, `${good}id-last,2024-1-1,x,1,`));
      if (bad.result.status !== 'landed') throw new Error(JSON.stringify(bad.result));
      const [record] = bad.result.records;
      expect(record).toMatchObject({ rows: rows.length + 2, rows_rejected: 1, normalized: true });
      expect(JSON.parse(bad.hdfs.text(record!.rejects_path!))).toEqual({
        file: `in/tx_b${shift}.csv`,
        line: rows.length + 4,
        reason: "units 'x' is not a int",
        raw: 'id-last,2024-1-1,x,1,',
      });
      expect(bad.hdfs.text(record!.original_path!)).toBe(`${good}id-last,2024-1-1,x,1,`);
    }
  });

  it('computes the checksum from the landing read when it is not known: names, skips, quarantines', async () => {
    const content = 'id,day,units,price,address\nA,2024-1-5,1,2.5,x\n';
    const sha = createHash('sha256').update(content).digest('hex');
    const seen: string[] = [];
    const unknown = (name: string, text: string | Buffer): LocalFile => ({
      ...local(name, text),
      checksum: '',
      version: 0,
    });
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const first = await landFile(client, declaration, unknown('tx_u.csv', content), now, (c) => {
      seen.push(c);
      return 3;
    });
    expect(first).toMatchObject({
      status: 'landed',
      records: [
        { checksum: sha, version: 3, bytes: content.length, path: `${part}/tx_u.${sha.slice(0, 8)}.csv` },
      ],
    });
    const skipped = await landFile(client, declaration, unknown('tx_v.csv', content), now, () => null);
    expect(skipped).toEqual({ status: 'skipped', checksum: sha });
    expect(hdfs.paths()).toEqual([`${part}/tx_u.${sha.slice(0, 8)}.csv`]); // its upload deleted
    const header = 'id,units\nA,1\n';
    const bad = await landFile(client, declaration, unknown('tx_w.csv', header), now, (c) => {
      seen.push(c);
      return 1;
    });
    expect(bad).toMatchObject({
      status: 'quarantined',
      record: { checksum: createHash('sha256').update(header).digest('hex'), bytes: header.length },
    });
    expect(seen).toEqual([sha, createHash('sha256').update(header).digest('hex')]);
  });

  it('rewrites a file in declared order without its bad rows', async () => {
    const file = local(
      'tx_3.csv',
      'id,day,units,price,address\nA,2024-1-5,1,2.5,x\nB,2024-1-5,,1.0\nC,,1,1,\n"D,2024-1-5,1,1,\n',
    );
    const { hdfs, result } = await land(file);
    if (result.status !== 'landed') throw new Error(JSON.stringify(result));
    expect(hdfs.text(result.records[0]!.path)).toBe('id,day,units,price,address\nA,2024-1-5,1,2.5,x\n');
    const rejects = hdfs
      .text(result.records[0]!.rejects_path!)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).reason);
    expect(rejects).toEqual([
      '4 fields, the header has 5',
      'required column day is empty',
      'unclosed quote at the end of the file',
    ]);
  });

  it('quarantines what is not UTF-8 text, and files where every row is bad', async () => {
    const binary = await land(local('tx_4.csv', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a])));
    expect(binary.result).toMatchObject({ status: 'quarantined', record: { reason: 'not UTF-8 text' } });
    const late = await land(
      local(
        'tx_5.csv',
        Buffer.concat([
          Buffer.from(`id,day,units,price,address\n${bigRows(50_000, (i) => `x${i},2024-1-1,1,1,`)}`),
          Buffer.from([0x41, 0x00, 0x0a]),
        ]),
      ),
    );
    expect(late.result).toMatchObject({
      status: 'quarantined',
      record: { reason: 'binary content (NUL bytes)' },
    });
    expect(late.hdfs.paths().every((p) => p.includes('/_quarantine/'))).toBe(true);
    const bad = await land(local('tx_6.csv', 'id,day,units,price,address\nA,2024-1-5,x,1,\n'));
    expect(bad.result).toMatchObject({
      status: 'quarantined',
      record: { reason: "every one of 1 rows was rejected; first: line 2: units 'x' is not a int" },
    });
    expect(bad.hdfs.paths().every((p) => p.includes('/_quarantine/'))).toBe(true);
  });
});

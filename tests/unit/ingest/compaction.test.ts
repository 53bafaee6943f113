/** The pure parts of compaction: what is merged, how it is named and compressed, when a partition is closed. */
import { describe, expect, it } from 'vitest';
import {
  inputCodec,
  isClosed,
  LineCounter,
  notParquet,
  outputCompression,
  outputName,
  parseSize,
  planBins,
  selectInputs,
} from '../../../src/ingest/compaction/index.js';
import { followMoves, movedMarkerBody, parseMovedMarker } from '../../../src/ingest/compaction/moved.js';
import { countParquetRows, mergeParquet } from '../../../src/ingest/compaction/parquet.js';
import { compileEventSchema, validateEventValues } from '../../../src/ingest/stream/events.js';
import { ParquetRows, parquetColumn, readParquetTable } from '../../../src/ingest/stream/parquet.js';
import { mayBeCompacted } from '../../../src/ingest/stream/lake.js';
import { eventsDeclaration } from './stream/declaration.js';

const file = (pathSuffix: string, length = 10, type: 'FILE' | 'DIRECTORY' = 'FILE') => ({
  pathSuffix,
  length,
  type,
});

describe('compaction inputs', () => {
  it('merges data files only: never _ or . entries (stream bookkeeping, dead letters, markers)', () => {
    const { files, busy } = selectInputs([
      file('t+0+00000000000000000020+00000000000000000039.jsonl.gz'),
      file('_qdbt_stream', 0, 'DIRECTORY'),
      file('_dead_letter', 0, 'DIRECTORY'),
      file('_qdbt_moved'),
      file('_qdbt_compaction.json'),
      file('_SUCCESS'),
      file('.hidden'),
      file('sub', 0, 'DIRECTORY'),
      file('t+0+00000000000000000000+00000000000000000019.jsonl.gz'),
    ]);
    expect(busy).toBeNull();
    expect(files.map((f) => f.pathSuffix)).toEqual([
      't+0+00000000000000000000+00000000000000000019.jsonl.gz',
      't+0+00000000000000000020+00000000000000000039.jsonl.gz',
    ]);
  });

  it('leaves a partition alone while a file is being written into it', () => {
    expect(selectInputs([file('a.csv'), file('.b.csv.tmp')]).busy).toMatch(/being written/);
    expect(selectInputs([file('a.csv'), file('b.csv._COPYING_')]).busy).toMatch(/being written/);
  });

  it('decompresses gzip, keeps gzip output only when every input is gzip', () => {
    expect(inputCodec('x.jsonl.gz')).toBe('gzip');
    expect(inputCodec('x.jsonl')).toBe('none');
    expect(inputCodec('x.csv.bz2')).toBe('unsupported');
    expect(outputCompression(['a.jsonl.gz', 'b.jsonl.gz'])).toBe('gzip');
    expect(outputCompression(['a.jsonl.gz', 'b.jsonl'])).toBe('none');
    expect(outputCompression(['a.jsonl'])).toBe('none');
    expect(outputName(3, 'json', true)).toBe('part-00003.jsonl.gz');
    expect(outputName(0, 'json', false)).toBe('part-00000.jsonl');
    expect(outputName(12, 'csv', false)).toBe('part-00012.csv');
    expect(outputName(1, 'parquet', true)).toBe('part-00001.parquet');
  });

  it('a Parquet landing merges only Parquet files', () => {
    expect(notParquet(['a.parquet', 'b.PARQUET'])).toBeNull();
    expect(notParquet(['a.parquet', 'b.jsonl.gz'])).toBe('b.jsonl.gz');
  });

  it('counts lines across chunks, a last line without newline included', () => {
    const c = new LineCounter();
    c.push(Buffer.from('a\nb'));
    c.push(Buffer.from('c\nd'));
    expect(c.lines).toBe(2);
    expect(c.endsWithNewline).toBe(false);
    expect(c.total).toBe(3);
    c.push(Buffer.from('\n'));
    expect(c.total).toBe(3);
  });

  it('bins files near the target size, sizes parse', () => {
    expect(planBins([file('a', 60), file('b', 60), file('c', 60)], 128).map((b) => b.length)).toEqual([2, 1]);
    expect(parseSize('128MB')).toBe(128 * 1024 * 1024);
    expect(parseSize('2k')).toBe(2048);
  });
});

describe('closed partitions', () => {
  const declaration = eventsDeclaration();
  const p = { dt: '2024-05-01', hr: '13' };
  it('an event-time hour is closed after its end plus the lateness', () => {
    expect(isClosed(declaration, p, new Date('2024-05-01T13:59:59Z'), 0)).toBe(false);
    expect(isClosed(declaration, p, new Date('2024-05-01T14:00:00Z'), 0)).toBe(true);
    expect(isClosed(declaration, p, new Date('2024-05-01T14:30:00Z'), 3_600_000)).toBe(false);
    expect(isClosed(declaration, p, new Date('2024-05-01T15:00:00Z'), 3_600_000)).toBe(true);
  });

  it('the stream checks for a move only once an hour may have been compacted (with a clock margin)', () => {
    const folder = 'dt=2024-05-01/hr=13';
    expect(mayBeCompacted(folder, Date.parse('2024-05-01T13:10:00Z'))).toBe(false);
    expect(mayBeCompacted(folder, Date.parse('2024-05-01T13:55:00Z'))).toBe(true);
    expect(mayBeCompacted(folder, Date.parse('2024-05-02T00:00:00Z'))).toBe(true);
    expect(mayBeCompacted('other', 0)).toBe(true);
  });
});

describe('moved markers', () => {
  it('are followed to where the partition is now', async () => {
    const files = new Map<string, string>([
      ['/l/dt=x/hr=1/_qdbt_moved', movedMarkerBody('/l/_compacted/dt=x/hr=1/g1')],
      ['/l/_compacted/dt=x/hr=1/g1/_qdbt_moved', movedMarkerBody('/l/_compacted/dt=x/hr=1/g2')],
    ]);
    const client = {
      status: async (p: string) => (files.has(p) ? {} : null),
      read: async (p: string) => Buffer.from(files.get(p)!),
    } as unknown as Parameters<typeof followMoves>[0];
    expect(await followMoves(client, '/l/dt=x/hr=1')).toEqual([
      '/l/dt=x/hr=1',
      '/l/_compacted/dt=x/hr=1/g1',
      '/l/_compacted/dt=x/hr=1/g2',
    ]);
    expect(await followMoves(client, '/l/dt=x/hr=2')).toEqual(['/l/dt=x/hr=2']);
    // A loop stops.
    files.set('/l/_compacted/dt=x/hr=1/g2/_qdbt_moved', movedMarkerBody('/l/dt=x/hr=1'));
    expect(await followMoves(client, '/l/dt=x/hr=1')).toHaveLength(3);
    expect(parseMovedMarker('nonsense')).toBeNull();
  });
});

describe('merging Parquet files', () => {
  const declaration = eventsDeclaration();
  const schema = compileEventSchema(declaration);
  const parquetFile = (ids: number[], columns = declaration.columns): Buffer => {
    const rows = new ParquetRows(columns.map(parquetColumn));
    for (const id of ids) {
      const event = { event_id: `e${id}`, event_type: 'purchase', timestamp: id, amount: `${id}.25` };
      const result = validateEventValues(schema, JSON.stringify(event), 0);
      if (!result.ok) throw new Error(result.reason);
      rows.add(result.values.slice(0, columns.length));
    }
    return rows.toBuffer();
  };
  const files = new Map<string, Buffer>();
  const client = { read: async (path: string) => files.get(path)! };

  it('concatenates the rows of every file, in order, into one Parquet file', async () => {
    files.set('/p/a.parquet', parquetFile([1, 2, 3]));
    files.set('/p/b.parquet', parquetFile([4, 5]));
    const merged = await mergeParquet(client, ['/p/a.parquet', '/p/b.parquet']);
    if ('mismatch' in merged) throw new Error(merged.mismatch);
    expect(merged.rows).toBe(5);
    const table = readParquetTable(merged.data);
    expect(table.getChild('event_id')!.toArray()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(String(table.getChild('amount')!.type)).toBe('Decimal[6e+2]');
    files.set('/p/merged.parquet', merged.data);
    expect(await countParquetRows(client, '/p/merged.parquet')).toBe(5);
  });

  it('leaves files with other columns unmerged, saying which', async () => {
    files.set('/p/c.parquet', parquetFile([6], declaration.columns.slice(0, 3)));
    const merged = await mergeParquet(client, ['/p/a.parquet', '/p/c.parquet']);
    expect(merged).toEqual({
      mismatch: expect.stringMatching(/^c\.parquet has other columns .* than a\.parquet/),
    });
  });
});

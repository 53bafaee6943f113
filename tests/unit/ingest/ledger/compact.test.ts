/** Ledger compaction: which files are merged (recorded listings), and the merge on an in-memory HDFS. */
import { describe, expect, it } from 'vitest';
import { MemoryHdfs } from '../batch/memoryHdfs.js';
import type { WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';
import {
  compactionInputs,
  compactLedger,
  LedgerView,
  LedgerWriter,
  listLedgerFiles,
  loadLedger,
  readLedgerRecords,
  type LedgerFile,
} from '../../../../src/ingest/ledger/index.js';

const declaration = { lakePath: '/lake/raw/tx', uniqueId: 'source.p.raw.tx' };
const dir = '/lake/raw/tx/_qdbt_ledger';
const NOW = Date.parse('2024-05-01T12:00:00Z');
const MIN = 60_000;

/** A recorded listing: `n` run files, the first `old` of them last written an hour ago, the rest a minute ago. */
function listing(n: number, old: number): LedgerFile[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `20240501T${String(100000 + i).slice(1)}-batch-${String(i).padStart(8, '0')}.jsonl`,
    length: 300,
    modificationTime: i < old ? NOW - 60 * MIN : NOW - MIN,
  }));
}

describe('compactionInputs', () => {
  it('merges nothing up to the threshold', () => {
    expect(compactionInputs(listing(64, 64), { now: NOW })).toEqual([]);
    expect(compactionInputs(listing(3, 3), { now: NOW, maxFiles: 3 })).toEqual([]);
  });
  it('over it, merges the files quiet for quietMs, not those a live run may append to', () => {
    const files = listing(65, 60);
    const inputs = compactionInputs(files, { now: NOW });
    expect(inputs.map((f) => f.name)).toEqual(files.slice(0, 60).map((f) => f.name));
    expect(compactionInputs(files, { now: NOW, quietMs: 30 * 1000 })).toHaveLength(65);
  });
  it("merges a watch process's own finished files whatever their age; needs two", () => {
    const files = listing(70, 1);
    expect(compactionInputs(files, { now: NOW })).toEqual([]); // only one quiet
    const sealed = new Set(files.slice(60).map((f) => f.name));
    expect(compactionInputs(files, { now: NOW, sealed })).toHaveLength(11);
  });
});

async function writeRuns(hdfs: MemoryHdfs, runs: number): Promise<void> {
  const client = hdfs as unknown as WebHdfsClient;
  for (let r = 0; r < runs; r++) {
    const writer = new LedgerWriter(client, declaration);
    await writer.append({
      event: 'registered',
      partition: { dt: `2024-05-${String(r + 1).padStart(2, '0')}` },
      location: `/x/${r}`,
    });
    await writer.append({ event: 'registered', partition: { dt: 'again' }, location: `/y/${r}` });
  }
}

describe('compactLedger', () => {
  it('merges 70 run files into one; the records are the same before and after', async () => {
    const hdfs = new MemoryHdfs();
    hdfs.clock = () => NOW - 60 * MIN;
    const client = hdfs as unknown as WebHdfsClient;
    await writeRuns(hdfs, 70);
    const before = await readLedgerRecords(client, declaration);
    expect(before).toHaveLength(140);
    hdfs.clock = () => NOW;
    expect(await compactLedger(client, declaration, { now: NOW })).toBe(70);
    const files = await listLedgerFiles(client, declaration);
    expect(files).toHaveLength(1);
    expect(files[0]!.name).toMatch(/-merged-[0-9a-f]{8}\.jsonl$/);
    expect(await readLedgerRecords(client, declaration)).toEqual(before);
    expect(hdfs.paths().filter((p) => p.endsWith('.tmp'))).toEqual([]);
    expect(await compactLedger(client, declaration, { now: NOW })).toBe(0);
  });

  it('leaves a file appended to while merging (its records stay, read once); a stop before the deletes leaves copies readers drop', async () => {
    const hdfs = new MemoryHdfs();
    hdfs.clock = () => NOW - 60 * MIN;
    const client = hdfs as unknown as WebHdfsClient;
    await writeRuns(hdfs, 66);
    const before = await readLedgerRecords(client, declaration);
    const names = (await listLedgerFiles(client, declaration)).map((f) => f.name);
    // A run that looked finished appends while the merged file is written.
    const late = `${dir}/${names[5]}`;
    const create = hdfs.create.bind(hdfs);
    hdfs.create = async (path, body, options) => {
      await create(path, body, options);
      if (path.endsWith('.tmp')) {
        hdfs.files.set(
          late,
          Buffer.concat([
            hdfs.files.get(late)!,
            Buffer.from(`${JSON.stringify({ ...before[0]!, id: 'late', at: '2099-01-01T00:00:00.000Z' })}\n`),
          ]),
        );
        hdfs.mtimes.set(late, NOW);
      }
    };
    expect(await compactLedger(client, declaration, { now: NOW })).toBe(65);
    expect(await listLedgerFiles(client, declaration)).toHaveLength(2);
    const after = await readLedgerRecords(client, declaration);
    expect(after.map((r) => r.id)).toEqual([...before.map((r) => r.id), 'late']);

    // A merge that stops after its rename: every record twice on disk, once in what readers get.
    const remove = hdfs.delete.bind(hdfs);
    hdfs.create = create;
    hdfs.delete = async () => {
      throw new Error('killed');
    };
    await writeRuns(hdfs, 64);
    const all = await readLedgerRecords(client, declaration);
    await expect(compactLedger(client, declaration, { now: NOW })).rejects.toThrow('killed');
    expect((await listLedgerFiles(client, declaration)).length).toBeGreaterThan(66);
    expect(await readLedgerRecords(client, declaration)).toEqual(all);
    hdfs.delete = remove;
    expect(await compactLedger(client, declaration, { now: NOW })).toBeGreaterThan(0);
    expect(await readLedgerRecords(client, declaration)).toEqual(all);
  });

  it('a reader whose listed file is merged away reads again; a writer whose file was merged starts it again', async () => {
    const hdfs = new MemoryHdfs();
    hdfs.clock = () => NOW - 60 * MIN;
    const client = hdfs as unknown as WebHdfsClient;
    const writer = new LedgerWriter(client, declaration);
    await writer.append({ event: 'registered', partition: { dt: 'live' }, location: '/z' });
    await writeRuns(hdfs, 65);
    const before = await readLedgerRecords(client, declaration);
    // The merge runs between a reader's listing and its reads.
    const list = hdfs.list.bind(hdfs);
    let compacted = false;
    hdfs.list = async (path: string) => {
      const entries = await list(path);
      if (!compacted && path === dir) {
        compacted = true;
        expect(await compactLedger(client, declaration, { now: NOW })).toBe(66);
      }
      return entries;
    };
    expect(await readLedgerRecords(client, declaration)).toEqual(before);
    hdfs.list = list;
    await writer.append({ event: 'registered', partition: { dt: 'live' }, location: '/z2' });
    const after = await readLedgerRecords(client, declaration);
    expect(after).toHaveLength(before.length + 1);
    expect(hdfs.files.has(`${dir}/${writer.file}`)).toBe(true);
  });
});

describe('LedgerView', () => {
  it('answers from memory while the listing holds only what it knows, and reads again otherwise', async () => {
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    await writeRuns(hdfs, 2);
    const view = new LedgerView();
    let loaded = await loadLedger(client, declaration, view, await listLedgerFiles(client, declaration));
    expect(loaded).toMatchObject({ read: true });
    expect(loaded.records).toHaveLength(4);
    const mine = new LedgerWriter(client, declaration);
    await mine.append({ event: 'registered', partition: { dt: 'mine' }, location: '/m' });
    view.addWritten(mine);
    loaded = await loadLedger(client, declaration, view, await listLedgerFiles(client, declaration));
    expect(loaded.read).toBe(false);
    expect(loaded.records).toEqual(await readLedgerRecords(client, declaration));
    // Another writer: a file not known; and a known file grown by someone else.
    await writeRuns(hdfs, 1);
    expect(
      (await loadLedger(client, declaration, view, await listLedgerFiles(client, declaration))).read,
    ).toBe(true);
    await hdfs.append(`${dir}/${mine.file}`, '');
    expect(
      (await loadLedger(client, declaration, view, await listLedgerFiles(client, declaration))).read,
    ).toBe(false);
    await hdfs.append(`${dir}/${mine.file}`, '\n');
    expect(
      (await loadLedger(client, declaration, view, await listLedgerFiles(client, declaration))).read,
    ).toBe(true);
  });
});

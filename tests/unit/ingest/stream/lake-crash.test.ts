/**
 * The landing protocol against a crash at every step: an in-memory WebHDFS that "dies" before or
 * after its k-th change, then recovery by a fresh StreamLake. After recovery, a range is either
 * wholly landed (its `.done` marker and every file) or wholly absent, and the resume point agrees.
 */
import { describe, expect, it } from 'vitest';
import { WebHdfsError, type WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';
import { MOVED_MARKER, movedMarkerBody } from '../../../../src/ingest/compaction/moved.js';
import { StreamLake } from '../../../../src/ingest/stream/lake.js';
import { streamPaths } from '../../../../src/ingest/stream/paths.js';
import { OpenRange } from '../../../../src/ingest/stream/range.js';

class Crash extends Error {}

class FakeHdfs {
  files = new Map<string, Buffer>();
  dirs = new Set<string>(['/']);
  changes = 0;
  /** Runs after each rename that happened (a compaction acting at that moment), outside the count. */
  onRenamed: ((to: string) => void) | null = null;
  constructor(
    private readonly crashAt = Infinity,
    private readonly after = false,
  ) {}

  private change<T>(apply: () => T): T {
    this.changes++;
    if (this.changes === this.crashAt && !this.after) throw new Crash('crash before');
    const result = apply();
    if (this.changes === this.crashAt && this.after) throw new Crash('crash after');
    return result;
  }

  private parents(path: string): void {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) this.dirs.add(`/${parts.slice(0, i).join('/')}`);
  }

  async list(path: string) {
    if (!this.dirs.has(path))
      throw new WebHdfsError('LISTSTATUS', path, 404, 'FileNotFoundException', '', 'nf');
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs])
      if (p.startsWith(`${path}/`)) names.add(p.slice(path.length + 1).split('/')[0]!);
    return [...names].map((pathSuffix) => ({ pathSuffix }));
  }
  async status(path: string) {
    return this.files.has(path) || this.dirs.has(path) ? { pathSuffix: '' } : null;
  }
  async mkdirs(path: string) {
    return this.change(() => {
      this.parents(`${path}/x`);
      return true;
    });
  }
  async create(path: string, body: Buffer | string) {
    this.change(() => {
      this.parents(path);
      this.files.set(path, Buffer.from(body));
    });
  }
  async read(path: string) {
    const data = this.files.get(path);
    if (!data) throw new Error(`missing ${path}`);
    return data;
  }
  async rename(from: string, to: string) {
    return this.change(() => {
      const data = this.files.get(from);
      if (!data || this.files.has(to)) return false;
      this.files.delete(from);
      this.parents(to);
      this.files.set(to, data);
      this.onRenamed?.(to);
      return true;
    });
  }
  async delete(path: string) {
    return this.change(() => this.files.delete(path));
  }
}

const paths = streamPaths('/lake/events');

function range(start: number, count: number): OpenRange {
  const r = new OpenRange('t', 0);
  for (let i = 0; i < count; i++) {
    const offset = start + i;
    if (offset % 7 === 3)
      r.addDead(
        offset,
        {
          topic: 't',
          partition: 0,
          offset: String(offset),
          timestamp: '0',
          key: null,
          reason: 'bad',
          value: 'x',
        },
        0,
      );
    else r.addGood(offset, `dt=2024-01-01/hr=0${offset % 3}`, JSON.stringify({ n: offset }), 0);
  }
  return r;
}

/** Offsets visible in the lake's data and dead-letter files (what Hive would read, plus the dead). */
function visibleOffsets(hdfs: FakeHdfs): number[] {
  const seen: number[] = [];
  for (const [path, data] of hdfs.files) {
    if (path.includes('/_qdbt_stream/') || path.endsWith(`/${MOVED_MARKER}`)) continue;
    // A folder compaction moved away from is no partition's location any more: Hive does not read it.
    if (hdfs.files.has(`${path.slice(0, path.lastIndexOf('/'))}/${MOVED_MARKER}`)) continue;
    const text = path.endsWith('.gz') ? '' : data.toString('utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      const row = JSON.parse(line) as { n?: number; offset?: string };
      seen.push(row.n ?? Number(row.offset));
    }
  }
  return seen.sort((a, b) => a - b);
}

async function landAll(lake: StreamLake, ranges: OpenRange[]): Promise<void> {
  for (const r of ranges) await lake.landRange(r, async () => undefined);
}

describe('landing survives a crash at any step', () => {
  it('counts the changes of a clean landing', async () => {
    const hdfs = new FakeHdfs();
    const lake = new StreamLake(hdfs as unknown as WebHdfsClient, paths, () => undefined, 'none');
    await landAll(lake, [range(0, 20), range(20, 20)]);
    expect(visibleOffsets(hdfs)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect((await lake.recoverPartition('t', 0)).lastLandedEnd).toBe(39);
    expect(hdfs.changes).toBeGreaterThan(10);
  });

  it('keeps only the last markers of a partition', async () => {
    const hdfs = new FakeHdfs();
    const lake = new StreamLake(hdfs as unknown as WebHdfsClient, paths, () => undefined, 'none');
    lake.keepDone = 3;
    await landAll(
      lake,
      Array.from({ length: 6 }, (_, i) => range(i * 5, 5)),
    );
    const markers = [...hdfs.files.keys()].filter((p) => p.endsWith('.done'));
    expect(markers).toHaveLength(3);
    expect((await lake.recoverPartition('t', 0)).lastLandedEnd).toBe(29);
    expect(visibleOffsets(hdfs)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('leaves each range wholly landed or wholly absent, and resumes right after the landed ones', async () => {
    const clean = new FakeHdfs();
    await landAll(new StreamLake(clean as unknown as WebHdfsClient, paths, () => undefined, 'none'), [
      range(0, 20),
      range(20, 20),
    ]);
    const total = clean.changes;
    for (let k = 1; k <= total; k++) {
      for (const after of [false, true]) {
        const hdfs = new FakeHdfs(k, after);
        const lake = new StreamLake(hdfs as unknown as WebHdfsClient, paths, () => undefined, 'none');
        await expect(landAll(lake, [range(0, 20), range(20, 20)])).rejects.toBeInstanceOf(Crash);
        // A new process: recovery, then it replays from the resume point and lands the rest.
        const restarted = new StreamLake(hdfs as unknown as WebHdfsClient, paths, () => undefined, 'none');
        const { lastLandedEnd } = await restarted.recoverPartition('t', 0);
        expect([-1, 19, 39]).toContain(lastLandedEnd);
        expect(visibleOffsets(hdfs)).toEqual(Array.from({ length: lastLandedEnd + 1 }, (_, i) => i));
        expect([...hdfs.files.keys()].filter((p) => p.includes('/tmp/') || p.endsWith('.pending'))).toEqual(
          [],
        );
        const next = lastLandedEnd + 1;
        const replay = next === 0 ? [range(0, 20), range(20, 20)] : next === 20 ? [range(20, 20)] : [];
        await landAll(restarted, replay);
        expect(visibleOffsets(hdfs)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      }
    }
  });
});

const ORIGINAL = '/lake/events/dt=2024-01-01/hr=01';
const MOVED_TO = '/lake/events/_compacted/dt=2024-01-01/hr=01/g20240101020000';

/**
 * Compaction of hr=01 right after the stream renamed a file into its original folder (and before
 * the range's `.done`): the moved marker, and with `sweep` the files of the old folder moved along
 * (compaction listed the old folder after the rename) or not (it listed before).
 */
function compactAfterFirstRename(hdfs: FakeHdfs, sweep: boolean): void {
  hdfs.onRenamed = (to) => {
    if (!to.startsWith(`${ORIGINAL}/`) || hdfs.files.has(`${ORIGINAL}/${MOVED_MARKER}`)) return;
    hdfs.files.set(`${ORIGINAL}/${MOVED_MARKER}`, Buffer.from(movedMarkerBody(MOVED_TO)));
    hdfs.dirs.add(MOVED_TO);
    if (sweep)
      for (const [path, data] of [...hdfs.files])
        if (path.startsWith(`${ORIGINAL}/`) && !path.endsWith(MOVED_MARKER)) {
          hdfs.files.delete(path);
          hdfs.files.set(`${MOVED_TO}/${path.slice(ORIGINAL.length + 1)}`, data);
        }
  };
}

describe('landing into a partition compaction moves', () => {
  it('writes into the folder the partition was moved to', async () => {
    const hdfs = new FakeHdfs();
    hdfs.files.set(`${ORIGINAL}/${MOVED_MARKER}`, Buffer.from(movedMarkerBody(MOVED_TO)));
    const lake = new StreamLake(hdfs as unknown as WebHdfsClient, paths, () => undefined, 'none');
    const registered: Array<[string, string]> = [];
    await lake.landRange(range(0, 20), async (folder, location) => void registered.push([folder, location]));
    expect(registered).toContainEqual(['dt=2024-01-01/hr=01', MOVED_TO]);
    expect(registered).toContainEqual(['dt=2024-01-01/hr=00', '/lake/events/dt=2024-01-01/hr=00']);
    const hr01 = [...hdfs.files.keys()].filter((p) => p.includes('hr=01/') && !p.endsWith(MOVED_MARKER));
    expect(hr01.length).toBeGreaterThan(0);
    expect(hr01.every((p) => p.startsWith(`${MOVED_TO}/`))).toBe(true);
    expect(visibleOffsets(hdfs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  for (const sweep of [false, true])
    it(`keeps late files visible when compaction moves the partition mid-landing (${sweep ? 'compaction moves them' : 'the ingestor follows'}), and survives a crash at any step`, async () => {
      const clean = new FakeHdfs();
      compactAfterFirstRename(clean, sweep);
      const cleanLake = new StreamLake(clean as unknown as WebHdfsClient, paths, () => undefined, 'none');
      await landAll(cleanLake, [range(0, 20), range(20, 20)]);
      expect(visibleOffsets(clean)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect([...clean.files.keys()].filter((p) => p.startsWith(`${ORIGINAL}/`))).toEqual([
        `${ORIGINAL}/${MOVED_MARKER}`,
      ]);
      const total = clean.changes;
      for (let k = 1; k <= total; k++) {
        for (const after of [false, true]) {
          const hdfs = new FakeHdfs(k, after);
          compactAfterFirstRename(hdfs, sweep);
          const lake = new StreamLake(hdfs as unknown as WebHdfsClient, paths, () => undefined, 'none');
          await expect(landAll(lake, [range(0, 20), range(20, 20)])).rejects.toBeInstanceOf(Crash);
          const restarted = new StreamLake(hdfs as unknown as WebHdfsClient, paths, () => undefined, 'none');
          const { lastLandedEnd } = await restarted.recoverPartition('t', 0);
          expect([-1, 19, 39]).toContain(lastLandedEnd);
          expect(visibleOffsets(hdfs)).toEqual(Array.from({ length: lastLandedEnd + 1 }, (_, i) => i));
          const next = lastLandedEnd + 1;
          const replay = next === 0 ? [range(0, 20), range(20, 20)] : next === 20 ? [range(20, 20)] : [];
          await landAll(restarted, replay);
          expect(visibleOffsets(hdfs)).toEqual(Array.from({ length: 40 }, (_, i) => i));
        }
      }
    });
});

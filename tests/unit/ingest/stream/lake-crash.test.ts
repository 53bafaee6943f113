/**
 * The landing protocol against a crash at every step: an in-memory WebHDFS that "dies" before or
 * after its k-th change, then recovery by a fresh StreamLake. After recovery, a range is either
 * wholly landed (its `.done` marker and every file) or wholly absent, and the resume point agrees.
 */
import { describe, expect, it } from 'vitest';
import { WebHdfsError, type WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';
import { StreamLake } from '../../../../src/ingest/stream/lake.js';
import { streamPaths } from '../../../../src/ingest/stream/paths.js';
import { OpenRange } from '../../../../src/ingest/stream/range.js';

class Crash extends Error {}

class FakeHdfs {
  files = new Map<string, Buffer>();
  dirs = new Set<string>(['/']);
  changes = 0;
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
      this.files.set(to, data);
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
    if (path.includes('/_qdbt_stream/')) continue;
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

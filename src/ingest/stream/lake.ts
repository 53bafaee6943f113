/**
 * The lake side of stream ingestion: landing one range (temp files, pending marker, renames into
 * place, `.done` marker) and recovering a Kafka partition after a crash. See recovery.ts for the
 * protocol. Every step is idempotent, so a transient WebHDFS failure is simply retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { followMoves } from '../compaction/moved.js';
import { WebHdfsError, type WebHdfsClient } from '../hdfs/webhdfs.js';
import type { LandingFileFormat } from '../landing/types.js';
import {
  dataFileName,
  deadLetterPath,
  markerName,
  offsetsDir,
  tmpFilePath,
  type StreamPaths,
} from './paths.js';
import { linesText, type OpenRange } from './range.js';
import { parseMarkerBody, planRecovery, type MarkerBody } from './recovery.js';

const gzipAsync = promisify(gzip);

/**
 * JSON lines data files plain or gzip-compressed (`.jsonl.gz`: Hive's text input reads them as is).
 * Parquet files compress their pages themselves and ignore it.
 */
export type StreamCompression = 'none' | 'gzip';

/** The extension of a range's data files, and whether the lake gzips them. */
export function dataFileOutput(
  fileFormat: LandingFileFormat,
  compression: StreamCompression,
): { extension: string; gzip: boolean } {
  if (fileFormat === 'parquet') return { extension: 'parquet', gzip: false };
  return compression === 'gzip' ? { extension: 'jsonl.gz', gzip: true } : { extension: 'jsonl', gzip: false };
}

export interface PreparedRange {
  /** `folder`: the event-hour folder of a data file (none for dead letters). */
  entries: Array<{ tmp: string; final: string; folder?: string }>;
  folders: string[];
  pending: string;
  done: string;
  bytes: number;
  dead: boolean;
}

export interface LandResult {
  files: number;
  bytes: number;
  folders: string[];
}

function transient(error: unknown): boolean {
  if (error instanceof WebHdfsError)
    return (
      error.status === 0 || error.status >= 500 || /SafeMode|Retriable|StandbyException/.test(error.exception)
    );
  return false;
}

/** Retries transient WebHDFS failures (connection refused, 5xx) with backoff, about a minute in all. */
export async function retrying<T>(
  what: string,
  fn: () => Promise<T>,
  log?: (line: string) => void,
): Promise<T> {
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!transient(error) || attempt >= 12) throw error;
      log?.(`${what} failed (${(error as Error).message}); retry ${attempt} in ${delay} ms`);
      await sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

/** Clock skew allowed between the ingestor and compaction when judging whether an hour is over. */
const HOUR_CLOSE_MARGIN_MS = 10 * 60_000;

/**
 * Whether compaction may have moved an event-hour folder: only once its hour is over (compaction
 * never touches an open hour). Folders that are no `dt=/hr=` hour are always checked.
 */
export function mayBeCompacted(folder: string, nowMs: number): boolean {
  const m = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{1,2})$/.exec(folder);
  if (!m) return true;
  const end = Date.parse(`${m[1]}T${m[2]!.padStart(2, '0')}:00:00Z`) + 3_600_000;
  if (!Number.isFinite(end)) return true;
  return nowMs >= end - HOUR_CLOSE_MARGIN_MS;
}

async function listNames(hdfs: WebHdfsClient, path: string): Promise<string[]> {
  try {
    return (await hdfs.list(path)).map((s) => s.pathSuffix);
  } catch (error) {
    if (error instanceof WebHdfsError && error.notFound) return [];
    throw error;
  }
}

async function inParallel<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  });
  await Promise.all(workers);
}

export class StreamLake {
  private readonly output: { extension: string; gzip: boolean };
  private readonly madeDirs = new Set<string>();
  /** `.done` markers this process published, per partition folder, oldest first (for pruning). */
  private readonly published = new Map<string, string[]>();
  /** `.done` markers kept per partition; only the last one matters for recovery. */
  keepDone = 20;
  /**
   * Where each event-hour folder's files go: `<lake>/<folder>`, or the folder compaction moved the
   * partition to (followed from its `_qdbt_moved` markers once, then kept; checked again after each
   * landing into an hour that is over).
   */
  private readonly locations = new Map<string, string>();
  /** Clock, for tests. */
  now: () => number = () => Date.now();

  constructor(
    readonly hdfs: WebHdfsClient,
    readonly paths: StreamPaths,
    private readonly log: (line: string) => void = () => undefined,
    readonly compression: StreamCompression = 'gzip',
    readonly fileFormat: LandingFileFormat = 'textfile',
  ) {
    this.output = dataFileOutput(fileFormat, compression);
  }

  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retrying(what, fn, this.log);
  }

  async mkdirs(path: string): Promise<void> {
    if (this.madeDirs.has(path)) return;
    await this.retry(`MKDIRS ${path}`, () => this.hdfs.mkdirs(path));
    this.madeDirs.add(path);
  }

  /** Renames, tolerating a retry of a rename that had already happened. */
  private async renameInto(from: string, to: string): Promise<void> {
    await this.retry(`RENAME ${from}`, async () => {
      if (await this.hdfs.rename(from, to)) return;
      const [source, target] = await Promise.all([this.hdfs.status(from), this.hdfs.status(to)]);
      if (!source && target) return; // done by an earlier attempt
      if (source && target) {
        // A stale file of an earlier, unmarked attempt: replace it.
        await this.hdfs.delete(to);
        if (await this.hdfs.rename(from, to)) return;
      }
      throw new WebHdfsError('RENAME', from, 500, '', '', `could not rename to ${to}`);
    });
  }

  /** The folder a partition's files go to now (looked up once, then cached). */
  async folderLocation(folder: string): Promise<string> {
    const known = this.locations.get(folder);
    if (known) return known;
    const chain = await this.retry(`MOVED ${folder}`, () =>
      followMoves(this.hdfs, `${this.paths.lakePath}/${folder}`),
    );
    const location = chain[chain.length - 1]!;
    this.locations.set(folder, location);
    return location;
  }

  /**
   * After a range's files are in place and before its `.done`: a file renamed into a folder that
   * compaction has just left (its marker written after this process looked) would be invisible.
   * Follows the markers and moves it to where the partition is now. Compaction only writes the
   * marker once the new folder is the partition's location, and moves what it finds in the old
   * folder after writing it, so a file renamed in before this check is either seen here or moved by
   * compaction (a rename that finds the file gone and the target there is fine).
   */
  private async followCompaction(entries: PreparedRange['entries']): Promise<PreparedRange['entries']> {
    const now = this.now();
    const out: PreparedRange['entries'] = [];
    for (const entry of entries) {
      if (!entry.folder || !mayBeCompacted(entry.folder, now)) {
        out.push(entry);
        continue;
      }
      const dir = entry.final.slice(0, entry.final.lastIndexOf('/'));
      const chain = await this.retry(`MOVED ${dir}`, () => followMoves(this.hdfs, dir));
      if (chain.length === 1) {
        out.push(entry);
        continue;
      }
      const location = chain[chain.length - 1]!;
      const final = `${location}/${entry.final.slice(entry.final.lastIndexOf('/') + 1)}`;
      this.log(`${entry.folder} was compacted into ${location}: moving ${entry.final} there`);
      await this.renameInto(entry.final, final);
      this.locations.set(entry.folder, location);
      out.push({ ...entry, final });
    }
    return out;
  }

  /** Lands one range: prepare, then publish. */
  async landRange(
    range: OpenRange<unknown>,
    beforeVisible: (folder: string, location: string) => Promise<void>,
  ): Promise<LandResult> {
    return this.publishRange(await this.prepareRange(range), beforeVisible);
  }

  /**
   * Phase 1, which may run for several ranges of a partition at once: the temp files and the
   * `.pending` marker. Nothing is visible yet; a crash leaves only what recovery deletes.
   */
  async prepareRange(range: OpenRange<unknown>): Promise<PreparedRange> {
    const id = range.id;
    const entries: Array<{ tmp: string; final: string; folder?: string; data: Buffer; gzip: boolean }> = [];
    const folders = [...range.folders.keys()].sort();
    const { extension, gzip } = this.output;
    const locations = await Promise.all(folders.map((folder) => this.folderLocation(folder)));
    for (const [i, folder] of folders.entries())
      entries.push({
        tmp: tmpFilePath(this.paths, id, entries.length),
        final: `${locations[i]}/${dataFileName(id, extension)}`,
        folder,
        // A Parquet file is encoded whole here, from the range's buffered columns.
        data: range.folders.get(folder)!.toBuffer(),
        gzip,
      });
    if (range.dead.length > 0)
      entries.push({
        tmp: tmpFilePath(this.paths, id, entries.length),
        final: deadLetterPath(this.paths, id),
        data: Buffer.from(linesText(range.dead)),
        gzip: false,
      });
    const dir = offsetsDir(this.paths, id.topic, id.partition);
    await Promise.all([this.mkdirs(this.paths.tmpDir), this.mkdirs(dir)]);
    const body: MarkerBody = {
      topic: id.topic,
      partition: id.partition,
      start: id.start,
      end: id.end,
      records: range.records,
      good: range.good,
      dead: range.dead.length,
      files: entries.map((e) => e.final),
      tmp: entries.map((e) => e.tmp),
      writtenAt: new Date().toISOString(),
    };
    const pending = `${dir}/${markerName(id, 'pending')}`;
    // The temp files and the pending marker are written side by side (each HDFS file costs a round
    // of block completion): nothing is renamed into place before both are durable.
    let bytes = 0;
    const writes: Array<{ path: string; data: Buffer; gzip: boolean }> = [
      { path: pending, data: Buffer.from(JSON.stringify(body)), gzip: false },
      ...entries.map((e) => ({ path: e.tmp, data: e.data, gzip: e.gzip })),
    ];
    await inParallel(writes, 6, async (write) => {
      const data = write.gzip ? await gzipAsync(write.data, { level: 1 }) : write.data;
      if (write.path !== pending) bytes += data.length;
      await this.retry(`CREATE ${write.path}`, () => this.hdfs.create(write.path, data, { overwrite: true }));
    });
    return {
      entries: entries.map(({ tmp, final, folder }) => ({ tmp, final, folder })),
      folders,
      pending,
      done: `${dir}/${markerName(id, 'done')}`,
      bytes,
      dead: range.dead.length > 0,
    };
  }

  /**
   * Phase 2, strictly in offset order per partition (the `.done` markers must appear in order, or a
   * crash could resume past a range that never landed): partitions registered, renames, `.done`.
   */
  async publishRange(
    prepared: PreparedRange,
    beforeVisible: (folder: string, location: string) => Promise<void>,
  ): Promise<LandResult> {
    const { entries, folders } = prepared;
    for (const folder of folders) {
      // Into the folder the partition is at (its original one unless compacted).
      const entry = entries.find((e) => e.folder === folder);
      const location = entry
        ? entry.final.slice(0, entry.final.lastIndexOf('/'))
        : `${this.paths.lakePath}/${folder}`;
      await this.mkdirs(location);
      await beforeVisible(folder, location);
    }
    if (prepared.dead) await this.mkdirs(this.paths.deadLetterDir);
    await inParallel(entries, 8, (entry) => this.renameInto(entry.tmp, entry.final));
    await this.followCompaction(entries);
    await this.renameInto(prepared.pending, prepared.done);
    await this.prune(prepared.done);
    return { files: entries.length, bytes: prepared.bytes, folders };
  }

  /** Deletes the oldest `.done` markers of a partition beyond the ones kept (never the newest). */
  private async prune(done: string): Promise<void> {
    const dir = done.slice(0, done.lastIndexOf('/'));
    let list = this.published.get(dir);
    if (!list) this.published.set(dir, (list = []));
    list.push(done);
    while (list.length > this.keepDone) {
      const old = list.shift()!;
      await this.retry(`DELETE ${old}`, () => this.hdfs.delete(old)).catch((error: unknown) =>
        this.log(`could not delete the old marker ${old}: ${(error as Error).message}`),
      );
    }
  }

  /**
   * Undoes what a crash left for one Kafka partition and returns the end offset of its last landed
   * range (-1 when none).
   */
  async recoverPartition(
    topic: string,
    partition: number,
  ): Promise<{ lastLandedEnd: number; undone: number }> {
    const dir = offsetsDir(this.paths, topic, partition);
    const [markers, tmps] = await Promise.all([
      this.retry(`LISTSTATUS ${dir}`, () => listNames(this.hdfs, dir)),
      this.retry(`LISTSTATUS ${this.paths.tmpDir}`, () => listNames(this.hdfs, this.paths.tmpDir)),
    ]);
    const plan = planRecovery(markers, tmps, topic, partition, this.keepDone);
    for (const name of plan.pendingToUndo) {
      const path = `${dir}/${name}`;
      const text = await this.retry(`OPEN ${path}`, () => this.hdfs.read(path)).catch(() => Buffer.from(''));
      const body = parseMarkerBody(text.toString('utf8'));
      if (body) {
        this.log(`undoing range ${name} of ${topic}/${partition}: ${body.files.length} files`);
        // A file compaction (or a landing that followed it) moved is deleted where it went.
        const moved: string[] = [];
        for (const file of body.files) {
          const slash = file.lastIndexOf('/');
          const chain = await this.retry(`MOVED ${file}`, () => followMoves(this.hdfs, file.slice(0, slash)));
          for (const dir of chain.slice(1)) moved.push(`${dir}/${file.slice(slash + 1)}`);
        }
        await inParallel([...body.files, ...moved, ...body.tmp], 4, async (file) => {
          await this.retry(`DELETE ${file}`, () => this.hdfs.delete(file));
        });
      }
      await this.retry(`DELETE ${path}`, () => this.hdfs.delete(path));
    }
    for (const name of [...plan.pendingToDrop, ...plan.doneToPrune])
      await this.retry(`DELETE ${dir}/${name}`, () => this.hdfs.delete(`${dir}/${name}`));
    await inParallel(plan.tmpToDelete, 4, async (name) => {
      await this.retry(`DELETE ${name}`, () => this.hdfs.delete(`${this.paths.tmpDir}/${name}`));
    });
    return { lastLandedEnd: plan.lastLandedEnd, undone: plan.pendingToUndo.length };
  }
}

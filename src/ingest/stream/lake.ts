/**
 * The lake side of stream ingestion: landing one range (temp files, pending marker, renames into
 * place, `.done` marker) and recovering a Kafka partition after a crash. See recovery.ts for the
 * protocol. Every step is idempotent, so a transient WebHDFS failure is simply retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WebHdfsError, type WebHdfsClient } from '../hdfs/webhdfs.js';
import {
  dataFilePath,
  deadLetterPath,
  markerName,
  offsetsDir,
  tmpFilePath,
  type StreamPaths,
} from './paths.js';
import { linesText, type OpenRange } from './range.js';
import { parseMarkerBody, planRecovery, type MarkerBody } from './recovery.js';

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
  private readonly madeDirs = new Set<string>();

  constructor(
    readonly hdfs: WebHdfsClient,
    readonly paths: StreamPaths,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

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

  /**
   * Lands one range. `beforeVisible(folder)` runs for each event-hour folder before files appear
   * in it (the staging table's partition is registered there).
   */
  async landRange(range: OpenRange, beforeVisible: (folder: string) => Promise<void>): Promise<LandResult> {
    const id = range.id;
    const entries: Array<{ tmp: string; final: string; text: string }> = [];
    const folders = [...range.folders.keys()].sort();
    for (const folder of folders)
      entries.push({
        tmp: tmpFilePath(this.paths, id, entries.length),
        final: dataFilePath(this.paths, folder, id),
        text: linesText(range.folders.get(folder)!),
      });
    if (range.dead.length > 0)
      entries.push({
        tmp: tmpFilePath(this.paths, id, entries.length),
        final: deadLetterPath(this.paths, id),
        text: linesText(range.dead),
      });
    await this.mkdirs(this.paths.tmpDir);
    let bytes = 0;
    await inParallel(entries, 4, async (entry) => {
      bytes += Buffer.byteLength(entry.text);
      await this.retry(`CREATE ${entry.tmp}`, () =>
        this.hdfs.create(entry.tmp, entry.text, { overwrite: true }),
      );
    });
    const dir = offsetsDir(this.paths, id.topic, id.partition);
    await this.mkdirs(dir);
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
    await this.retry(`CREATE ${pending}`, () =>
      this.hdfs.create(pending, JSON.stringify(body), { overwrite: true }),
    );
    for (const folder of folders) {
      await this.mkdirs(`${this.paths.lakePath}/${folder}`);
      await beforeVisible(folder);
    }
    if (range.dead.length > 0) await this.mkdirs(this.paths.deadLetterDir);
    await inParallel(entries, 4, (entry) => this.renameInto(entry.tmp, entry.final));
    await this.renameInto(pending, `${dir}/${markerName(id, 'done')}`);
    return { files: entries.length, bytes, folders };
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
    const plan = planRecovery(markers, tmps, topic, partition);
    for (const name of plan.pendingToUndo) {
      const path = `${dir}/${name}`;
      const text = await this.retry(`OPEN ${path}`, () => this.hdfs.read(path)).catch(() => Buffer.from(''));
      const body = parseMarkerBody(text.toString('utf8'));
      if (body) {
        this.log(`undoing range ${name} of ${topic}/${partition}: ${body.files.length} files`);
        await inParallel([...body.files, ...body.tmp], 4, async (file) => {
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

/**
 * Compaction of a staging table's closed partitions: many small files (hourly batches, streamed
 * JSON lines) merged into files near a target size.
 *
 * Swap: the merged files are written to a new folder `<lakePath>/_compacted/<partition>/g<stamp>/`,
 * their rows counted back and compared with the inputs, a `_qdbt_compaction.json` manifest written
 * beside them, then one `ALTER TABLE ... PARTITION (...) SET LOCATION` points the partition at the
 * new folder: a single metastore update, so a query sees the old files or the new ones, never both
 * or neither.
 *
 * Superseded files: a query that started before the swap may still read the old files (Hive lists a
 * partition's files when it plans, and opens them by path later), so they are neither deleted nor
 * moved at the swap. A `_qdbt_superseded.json` record in the old folder lists them with the time of
 * the swap, and a later run deletes them once they are older than `retainSupersededMs`
 * (`--retain-superseded`, default 1 h; 0 deletes them right after the swap). Only files a record
 * lists are deleted, and never in the folder the partition reads.
 *
 * A crash at any step leaves a state the next run completes: a new folder never swapped in is
 * deleted and redone; a swapped-in folder whose old folder lacks its record or marker, or holds
 * files that arrived meanwhile, has that finished (old folder steps are idempotent); a purge that
 * stopped halfway is redone (its record is deleted last).
 *
 * Row counts: when the rows read back from the merged files differ from the rows read from the
 * inputs, the partition is not swapped, the merged files are deleted, and the partition is reported
 * `failed`; the other partitions go on.
 *
 * Compression: `.gz` inputs are decompressed (rows are counted on the text), and the output is
 * gzip-compressed (`part-NNNNN.jsonl.gz`, Hive picks the codec by extension) when every input was;
 * mixed inputs give plain output. Other codecs are left alone.
 *
 * Parquet (`file_format: parquet`): each bin's files are read (parquet-wasm), concatenated and
 * written as one `part-NNNNN.parquet`, rows counted by decoding the output read back from HDFS.
 * Files with different columns (the declaration changed between them) leave the partition alone.
 *
 * Late writers (the stream ingestor lands late events into closed hours): after the swap a
 * `_qdbt_moved` marker in the old folder names the new one (moved.ts). Files that arrived in the
 * old folder while compaction ran are moved into the new one, and a writer that still holds the
 * old folder follows the marker. A partition is not touched while it is open (its hour, plus the
 * lateness for event time), while a file is being written into it, or while one of its files
 * belongs to a stream range not yet committed (a `.pending` marker under `_qdbt_stream`): such a
 * range may still be undone by the stream's crash recovery, which could not undo merged rows.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { WebHdfsError, type FileStatus, type WebHdfsClient } from '../hdfs/webhdfs.js';
import type { LandingDeclaration } from '../landing/types.js';
import { LedgerWriter } from '../ledger/index.js';
import { parsePartitionPath, partitionPath, tableName, type PartitionValues } from '../register/ddl.js';
import { partitionLocation, setPartitionLocation, type RegisterAdapter } from '../register/index.js';
import { streamPaths } from '../stream/paths.js';
import { parseMarkerBody } from '../stream/recovery.js';
import { MOVED_MARKER, movedMarkerBody } from './moved.js';
import { countParquetRows, mergeParquet } from './parquet.js';

export interface CompactOptions {
  client: WebHdfsClient;
  adapter: RegisterAdapter;
  declaration: LandingDeclaration;
  /** Only partitions matching these values (e.g. {dt: '2024-01-05'}). */
  partition?: PartitionValues;
  /** Default 128 MB. */
  targetBytes?: number;
  /** Event-time partitions stay open this long after their hour ends (late events). Default 1 h. */
  lateMs?: number;
  dryRun?: boolean;
  /**
   * How long the files a swap replaced are kept (for queries that started before it) before a later
   * run deletes them. Default 1 h; 0 deletes them right after the swap.
   */
  retainSupersededMs?: number;
  /** The clock: the run's time (partition closing, folder names) and the superseded files' ages. */
  now?: () => Date;
  emit?: (event: {
    name: string;
    level: 'debug' | 'info' | 'warn' | 'error';
    message: string;
    data?: Record<string, unknown>;
  }) => void;
}

export interface PartitionCompaction {
  partition: PartitionValues;
  /** `failed`: the merged files did not hold the inputs' rows; the partition was left on its files. */
  status: 'compacted' | 'skipped' | 'open' | 'planned' | 'failed';
  reason?: string;
  filesBefore: number;
  filesAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  rows: number;
  location?: string;
  /** Files that arrived in the old folder while compacting, moved into the new one. */
  lateMoved?: number;
  /** The folder whose replaced files this run's swap kept (deleted by a later run). */
  superseded?: string;
  /** Folders of files earlier swaps replaced whose retention was over, deleted by this run. */
  supersededPurged?: number;
  /** A failed partition: rows read from the inputs and counted in the merged files. */
  rowsRead?: number;
  rowsWritten?: number;
}

const MANIFEST = '_qdbt_compaction.json';
/** In a folder a swap left: the data files the swap replaced, kept for a while. */
export const SUPERSEDED = '_qdbt_superseded.json';
export const DEFAULT_RETAIN_SUPERSEDED_MS = 3_600_000;

export interface SupersededRecord {
  /** The folder the partition moved to. */
  location: string;
  /** When the swap happened (written just after it): the files' age counts from here. */
  superseded_at: string;
  /** Names of the replaced data files in this folder. */
  files: string[];
}

interface Manifest {
  partition: PartitionValues;
  source_location: string;
  inputs: string[];
  outputs: string[];
  rows: number;
  at: string;
}

export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(text);
  if (!m) throw new Error(`'${text}' is not a size (e.g. 128MB)`);
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * factor);
}

/** `0`, `90s`, `30m`, `1h`, `2d` (a bare number is seconds) -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) throw new Error(`'${text}' is not a duration (e.g. 0, 90s, 30m, 1h, 2d)`);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  return Math.round(Number(m[1]) * factor);
}

/** Whether a record's files have been superseded long enough to delete (an unreadable time: at once). */
export function supersededDue(
  record: Pick<SupersededRecord, 'superseded_at'>,
  nowMs: number,
  retainMs: number,
): boolean {
  const at = Date.parse(record.superseded_at);
  return retainMs <= 0 || !Number.isFinite(at) || at + retainMs <= nowMs;
}

export function parseSupersededRecord(text: string): SupersededRecord | null {
  try {
    const body = JSON.parse(text) as Partial<SupersededRecord>;
    if (typeof body.location !== 'string' || typeof body.superseded_at !== 'string') return null;
    if (!Array.isArray(body.files) || !body.files.every((f) => typeof f === 'string')) return null;
    // Names only: a record never reaches outside its folder.
    const files = body.files.filter((f) => f && !f.includes('/') && f !== '.' && f !== '..');
    return { location: body.location, superseded_at: body.superseded_at, files };
  } catch {
    return null;
  }
}

/**
 * What a folder a swap left still needs, from its listing: the record of the replaced files (when
 * it has none yet and some are there), the moved marker, and the data files that arrived meanwhile
 * (to move into the new folder). `inputs` are the files the swap replaced (its manifest's).
 */
export function oldFolderPlan(
  listing: Array<Pick<FileStatus, 'pathSuffix' | 'type'>>,
  inputs: string[],
): { record: string[] | null; marker: boolean; late: string[] } {
  const merged = new Set(inputs);
  const names = new Set(listing.map((f) => f.pathSuffix));
  const data = listing
    .filter((f) => f.type === 'FILE' && !/^[_.]/.test(f.pathSuffix))
    .map((f) => f.pathSuffix);
  const kept = data.filter((n) => merged.has(n));
  const hasMarker = names.has(MOVED_MARKER);
  return {
    // Without a marker the swap's old-folder steps have not run (the record comes first); with one and
    // no record, the record was purged (then no replaced file is left) or never written (an older qdbt).
    record: !names.has(SUPERSEDED) && (!hasMarker || kept.length > 0) ? kept : null,
    marker: !hasMarker,
    late: data.filter((n) => !merged.has(n)),
  };
}

/** `hdfs://host:8020/a/b` -> `/a/b`, keeping the prefix to rebuild full locations. */
function splitUri(location: string): { prefix: string; path: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(\/.*)$/i.exec(location);
  return m ? { prefix: m[1]!, path: m[2]! } : { prefix: '', path: location };
}

/** A partition is closed when no more data will land in it: its hour is over (plus lateness for event time). */
export function isClosed(
  declaration: LandingDeclaration,
  partition: PartitionValues,
  now: Date,
  lateMs: number,
): boolean {
  const dt = partition.dt;
  const hr = partition.hr;
  if (!dt || !hr) return true;
  const end = Date.parse(`${dt}T${hr.padStart(2, '0')}:00:00Z`) + 3_600_000;
  if (!Number.isFinite(end)) return true;
  return now.getTime() >= end + (declaration.partitioning.kind === 'event_time' ? lateMs : 0);
}

/** Bins of consecutive files, each near the target size. */
export function planBins<T extends { length: number }>(files: T[], targetBytes: number): T[][] {
  const bins: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const f of files) {
    if (current.length && size + f.length > targetBytes) {
      bins.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += f.length;
  }
  if (current.length) bins.push(current);
  return bins;
}

/** Codecs Hive reads by extension that compaction cannot merge (left alone). */
const OTHER_CODECS = /\.(bz2|snappy|lz4|zst|deflate|lzo|zstd)$/i;

export type InputCodec = 'gzip' | 'none' | 'unsupported';

export function inputCodec(name: string): InputCodec {
  if (/\.gz$/i.test(name)) return 'gzip';
  return OTHER_CODECS.test(name) ? 'unsupported' : 'none';
}

/**
 * Which entries of a partition folder are data to merge: files not starting with `_` or `.`
 * (`_qdbt_stream`, `_dead_letter`, `_qdbt_moved`, manifests, hidden temp files), sorted; or why the
 * partition must be left alone now (a file being written).
 */
export function selectInputs(listing: Array<Pick<FileStatus, 'pathSuffix' | 'type' | 'length'>>): {
  files: Array<Pick<FileStatus, 'pathSuffix' | 'type' | 'length'>>;
  busy: string | null;
} {
  const writing = listing.find(
    (f) =>
      (f.pathSuffix.startsWith('.') && f.pathSuffix.endsWith('.tmp')) || f.pathSuffix.endsWith('._COPYING_'),
  );
  if (writing) return { files: [], busy: `a file is being written (${writing.pathSuffix})` };
  const files = listing
    .filter((f) => f.type === 'FILE' && !f.pathSuffix.startsWith('.') && !f.pathSuffix.startsWith('_'))
    .sort((a, b) => a.pathSuffix.localeCompare(b.pathSuffix));
  return { files, busy: null };
}

/** Gzip output when every input is gzip; plain for plain or mixed inputs. */
export function outputCompression(names: string[]): 'gzip' | 'none' {
  return names.length > 0 && names.every((n) => inputCodec(n) === 'gzip') ? 'gzip' : 'none';
}

export function outputName(
  index: number,
  format: LandingDeclaration['format'] | 'parquet',
  gzip: boolean,
): string {
  const extension = format === 'parquet' ? 'parquet' : format === 'csv' ? 'csv' : 'jsonl';
  return `part-${String(index).padStart(5, '0')}.${extension}${gzip && format !== 'parquet' ? '.gz' : ''}`;
}

/** A Parquet landing's partition holds only `.parquet` data files; the first other one, if any. */
export function notParquet(names: string[]): string | null {
  return names.find((n) => !/\.parquet$/i.test(n)) ?? null;
}

/** Counts lines in a stream of text chunks (a last line without newline counts). */
export class LineCounter {
  lines = 0;
  private last = 10;
  push(buffer: Buffer): void {
    let i = -1;
    while ((i = buffer.indexOf(10, i + 1)) !== -1) this.lines++;
    if (buffer.length) this.last = buffer[buffer.length - 1]!;
  }
  get endsWithNewline(): boolean {
    return this.last === 10;
  }
  get total(): number {
    return this.last === 10 ? this.lines : this.lines + 1;
  }
}

/** A file's text: decompressed when it is `.gz`. */
async function openText(client: WebHdfsClient, path: string): Promise<AsyncIterable<Buffer>> {
  const raw = await client.openStream(path);
  if (inputCodec(path) !== 'gzip') return raw as AsyncIterable<Buffer>;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip) as AsyncIterable<Buffer>;
}

async function countLines(client: WebHdfsClient, path: string): Promise<number> {
  const counter = new LineCounter();
  for await (const chunk of await openText(client, path)) counter.push(chunk);
  return counter.total;
}

/** The data files named by stream ranges being landed (`.pending` markers), by file name. */
async function pendingStreamFiles(
  client: WebHdfsClient,
  declaration: LandingDeclaration,
): Promise<Set<string>> {
  const names = new Set<string>();
  const root = streamPaths(declaration.lakePath).offsetsRoot;
  const list = async (dir: string): Promise<FileStatus[]> => {
    try {
      return await client.list(dir);
    } catch (error) {
      if (error instanceof WebHdfsError && error.notFound) return [];
      throw error;
    }
  };
  for (const topic of await list(root)) {
    if (topic.type !== 'DIRECTORY') continue;
    for (const partition of await list(`${root}/${topic.pathSuffix}`)) {
      if (partition.type !== 'DIRECTORY') continue;
      const dir = `${root}/${topic.pathSuffix}/${partition.pathSuffix}`;
      for (const marker of await list(dir)) {
        if (!marker.pathSuffix.endsWith('.pending')) continue;
        const text = await client.read(`${dir}/${marker.pathSuffix}`).catch((error: unknown) => {
          if (error instanceof WebHdfsError && error.notFound) return null; // landed meanwhile
          throw error;
        });
        if (!text) continue;
        const body = parseMarkerBody(text.toString('utf8'));
        // An unreadable marker: assume it may name anything.
        if (!body) names.add('*');
        else for (const file of body.files) names.add(file.slice(file.lastIndexOf('/') + 1));
      }
    }
  }
  return names;
}

export async function compact(options: CompactOptions): Promise<PartitionCompaction[]> {
  const { client, adapter, declaration } = options;
  const emit = options.emit ?? (() => undefined);
  const clock = options.now ?? (() => new Date());
  const now = clock();
  const retainMs = Math.max(0, options.retainSupersededMs ?? DEFAULT_RETAIN_SUPERSEDED_MS);
  const target = options.targetBytes ?? 128 * 1024 * 1024;
  const header = declaration.format === 'csv' && (declaration.csv?.header ?? true);
  const shown = await adapter.execute(`SHOW PARTITIONS ${tableName(declaration)}`);
  let partitions = shown.rows.map((r) => parsePartitionPath(String(r[0])));
  if (options.partition) {
    const want = Object.entries(options.partition);
    partitions = partitions.filter((p) => want.every(([k, v]) => p[k] === v));
  }
  const results: PartitionCompaction[] = [];
  const ledger = new LedgerWriter(client, declaration, 'compact');
  for (const partition of partitions) {
    const key = partitionPath(partition);
    const result: PartitionCompaction = {
      partition,
      status: 'skipped',
      filesBefore: 0,
      filesAfter: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      rows: 0,
    };
    results.push(result);
    if (!isClosed(declaration, partition, now, Math.max(0, options.lateMs ?? 3_600_000))) {
      result.status = 'open';
      result.reason = 'still being written';
      continue;
    }
    const location = await partitionLocation(adapter, declaration, partition);
    if (!location) {
      result.reason = 'no location';
      continue;
    }
    const { prefix, path: current } = splitUri(location);
    const generations = `${declaration.lakePath}/_compacted/${key}`;
    await finishInterrupted(client, current, generations, options.dryRun ?? false, clock, emit);
    if (!options.dryRun) {
      const purged = await purgeSuperseded(client, current, generations, retainMs, clock, emit);
      if (purged) result.supersededPurged = purged;
    }

    const listing = (await client.list(current).catch(() => [])) ?? [];
    const { files, busy } = selectInputs(listing);
    if (busy) {
      result.status = 'open';
      result.reason = busy;
      continue;
    }
    // Checked after the listing: a stream file renamed into place before it has its range's
    // `.pending` (until the range is committed) or `.done` marker by now.
    if (declaration.kind === 'stream' && files.length) {
      const pending = await pendingStreamFiles(client, declaration);
      if (pending.has('*') || files.some((f) => pending.has(f.pathSuffix))) {
        result.status = 'open';
        result.reason = 'a stream range is being landed into it';
        continue;
      }
    }
    const unsupported = files.find((f) => inputCodec(f.pathSuffix) === 'unsupported');
    result.filesBefore = files.length;
    result.bytesBefore = files.reduce((n, f) => n + f.length, 0);
    if (unsupported) {
      result.filesAfter = files.length;
      result.bytesAfter = result.bytesBefore;
      result.reason = `compression of ${unsupported.pathSuffix} not supported`;
      continue;
    }
    const parquet = declaration.fileFormat === 'parquet';
    const stray = parquet ? notParquet(files.map((f) => f.pathSuffix)) : null;
    if (stray) {
      result.filesAfter = files.length;
      result.bytesAfter = result.bytesBefore;
      result.reason = `${stray} is not a Parquet file (file_format: parquet); move it out to compact`;
      continue;
    }
    const bins = planBins(files, target);
    if (bins.length >= files.length) {
      result.filesAfter = files.length;
      result.bytesAfter = result.bytesBefore;
      result.reason = files.length ? 'already compact' : 'empty';
      continue;
    }
    if (options.dryRun) {
      result.status = 'planned';
      result.filesAfter = bins.length;
      continue;
    }
    const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    // Unswapped generations are gone by now (finishInterrupted): one still there is current or superseded.
    let gen = `${generations}/g${stamp}`;
    for (let n = 1; gen === current || (await client.exists(gen)); n++) gen = `${generations}/g${stamp}-${n}`;
    const gzipOut = !parquet && outputCompression(files.map((f) => f.pathSuffix)) === 'gzip';
    let rowsIn = 0;
    const outputs: string[] = [];
    let mismatch: string | null = null;
    for (const [b, bin] of bins.entries()) {
      const name = outputName(b, parquet ? 'parquet' : declaration.format, gzipOut);
      const tmp = `${gen}/.${name}.tmp`;
      if (parquet) {
        const merged = await mergeParquet(
          client,
          bin.map((f) => `${current}/${f.pathSuffix}`),
        );
        if ('mismatch' in merged) {
          mismatch = merged.mismatch;
          break;
        }
        rowsIn += merged.rows;
        await client.create(tmp, merged.data);
        await client.rename(tmp, `${gen}/${name}`);
        outputs.push(name);
        continue;
      }
      let headerWritten = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        for (const f of bin) {
          let skipping = header;
          const counter = new LineCounter();
          for await (const chunk of await openText(client, `${current}/${f.pathSuffix}`)) {
            let buffer = chunk;
            if (skipping) {
              const nl = buffer.indexOf(10);
              const headerPart = nl === -1 ? buffer : buffer.subarray(0, nl + 1);
              if (!headerWritten) yield headerPart;
              if (nl === -1) continue;
              skipping = false;
              buffer = buffer.subarray(nl + 1);
            }
            if (!buffer.length) continue;
            counter.push(buffer);
            yield buffer;
          }
          if (header) headerWritten = true;
          rowsIn += counter.lines;
          if (!counter.endsWithNewline) {
            rowsIn++;
            yield Buffer.from('\n');
          }
        }
      };
      if (gzipOut) {
        const gzip = createGzip({ level: 6 });
        const writing = client.create(tmp, gzip).catch((error: unknown) => {
          gzip.destroy(error as Error);
          throw error;
        });
        await Promise.all([writing, pipeline(Readable.from(body()), gzip)]);
      } else await client.create(tmp, body());
      await client.rename(tmp, `${gen}/${name}`);
      outputs.push(name);
    }
    if (mismatch) {
      await client.delete(gen, { recursive: true });
      result.filesAfter = files.length;
      result.bytesAfter = result.bytesBefore;
      result.reason = mismatch;
      continue;
    }
    // Rows read back from HDFS (decompressed, or Parquet decoded) must equal the rows read from the inputs.
    let rowsOut = 0;
    let bytesOut = 0;
    for (const name of outputs) {
      const path = `${gen}/${name}`;
      rowsOut += parquet
        ? await countParquetRows(client, path)
        : (await countLines(client, path)) - (header ? 1 : 0);
      bytesOut += (await client.status(path))?.length ?? 0;
    }
    if (rowsOut !== rowsIn) {
      // Not swapped: the partition still reads its files. The merged ones go (a run that cannot delete
      // them leaves a generation never swapped in, which the next run deletes).
      const cleaned = await client.delete(gen, { recursive: true }).then(
        () => true,
        () => false,
      );
      Object.assign(result, {
        status: 'failed',
        filesAfter: files.length,
        bytesAfter: result.bytesBefore,
        rowsRead: rowsIn,
        rowsWritten: rowsOut,
        location: current,
        reason: `row count mismatch: ${rowsIn} rows read from ${files.length} files, ${rowsOut} counted in the merged files; not swapped, ${cleaned ? 'the merged files deleted' : `the merged files in ${gen} left for the next run to delete`}`,
      });
      emit({
        name: 'compaction_row_mismatch',
        level: 'error',
        message: `${declaration.sourceName}.${declaration.tableName} ${key}: ${result.reason}`,
        data: { partition, rows_read: rowsIn, rows_written: rowsOut, files: files.length, location: current },
      });
      continue;
    }
    const manifest: Manifest = {
      partition,
      source_location: current,
      inputs: files.map((f) => f.pathSuffix),
      outputs,
      rows: rowsIn,
      at: now.toISOString(),
    };
    await client.create(`${gen}/${MANIFEST}`, JSON.stringify(manifest, null, 2), { overwrite: true });
    await setPartitionLocation(adapter, declaration, partition, `${prefix}${gen}`);
    await ledger.append({
      event: 'compacted',
      partition,
      old_location: current,
      location: gen,
      files_before: files.length,
      files_after: outputs.length,
      bytes_before: result.bytesBefore,
      bytes_after: bytesOut,
      rows: rowsIn,
    });
    const lateMoved = await leaveOldFolder(client, current, gen, manifest.inputs, clock, emit);
    if (retainMs === 0) {
      if (await purgeFolder(client, current, gen, retainMs, clock, emit))
        result.supersededPurged = (result.supersededPurged ?? 0) + 1;
    } else result.superseded = current;
    Object.assign(result, {
      status: 'compacted',
      filesAfter: outputs.length + lateMoved,
      bytesAfter: bytesOut,
      rows: rowsIn,
      location: gen,
      lateMoved,
    });
    emit({
      name: 'partition_compacted',
      level: 'info',
      message: `${declaration.sourceName}.${declaration.tableName} ${key}: ${files.length} files -> ${outputs.length}${gzipOut ? ' (gzip)' : parquet ? ' (Parquet)' : ''}, ${rowsIn} rows (checked), now at ${gen}${lateMoved ? `; ${lateMoved} files that arrived meanwhile moved along` : ''}${result.superseded ? `; the old files stay in ${current} for ${formatDuration(retainMs)} (queries that started before the swap)` : ''}`,
    });
  }
  return results;
}

/**
 * After the swap, in the folder the partition left: the record of the replaced files (kept for
 * queries that started before the swap), the moved marker (late writers follow it), and files that
 * arrived meanwhile moved into the new folder. Each step is skipped when done, so a re-run after a
 * crash finishes it. Returns how many files were moved. Nothing is deleted here.
 */
async function leaveOldFolder(
  client: WebHdfsClient,
  dir: string,
  gen: string,
  inputs: string[],
  clock: () => Date,
  emit: NonNullable<CompactOptions['emit']>,
): Promise<number> {
  const plan = oldFolderPlan(await client.list(dir).catch(() => []), inputs);
  if (plan.record) {
    const record: SupersededRecord = {
      location: gen,
      superseded_at: clock().toISOString(),
      files: plan.record,
    };
    await client.create(`${dir}/${SUPERSEDED}`, `${JSON.stringify(record, null, 2)}\n`, { overwrite: true });
  }
  if (plan.marker) await client.create(`${dir}/${MOVED_MARKER}`, movedMarkerBody(gen), { overwrite: true });
  // Listed again after the marker: a file renamed in before it is seen here, one after it is moved
  // by its writer (stream/lake.ts).
  const { late } = oldFolderPlan(await client.list(dir).catch(() => []), inputs);
  let moved = 0;
  // A writer that follows the marker may move it first: either way it ends up in the new folder.
  for (const name of late) if (await client.rename(`${dir}/${name}`, `${gen}/${name}`)) moved++;
  if (moved)
    emit({
      name: 'compaction_late_files',
      level: 'info',
      message: `${moved} files landed in ${dir} while it was compacted; moved into ${gen}`,
    });
  return moved;
}

/**
 * Deletes the files a swap replaced in `dir` once its record is old enough: the listed files, then
 * the record (last, so a purge that stopped halfway is redone). Never in `current`, the folder the
 * partition reads. Returns whether it purged.
 */
async function purgeFolder(
  client: WebHdfsClient,
  dir: string,
  current: string,
  retainMs: number,
  clock: () => Date,
  emit: NonNullable<CompactOptions['emit']>,
): Promise<boolean> {
  if (dir.replace(/\/+$/, '') === current.replace(/\/+$/, '')) return false;
  const text = await client.read(`${dir}/${SUPERSEDED}`).catch(() => null);
  if (!text) return false;
  const record = parseSupersededRecord(text.toString('utf8'));
  if (record && !supersededDue(record, clock().getTime(), retainMs)) return false;
  // An unreadable record deletes nothing but itself (its files then stay).
  for (const name of record?.files ?? []) await client.delete(`${dir}/${name}`);
  await client.delete(`${dir}/${SUPERSEDED}`);
  emit({
    name: 'compaction_superseded_purged',
    level: 'info',
    message: record
      ? `deleted ${record.files.length} files in ${dir}, replaced by ${record.location} at ${record.superseded_at}`
      : `deleted the unreadable ${dir}/${SUPERSEDED} (its files were left)`,
  });
  return true;
}

/**
 * Purges the superseded folders of one partition: every folder a generation of it was compacted
 * from (its manifest's source_location) that holds a record old enough. Returns how many.
 */
async function purgeSuperseded(
  client: WebHdfsClient,
  current: string,
  generations: string,
  retainMs: number,
  clock: () => Date,
  emit: NonNullable<CompactOptions['emit']>,
): Promise<number> {
  const sources = new Set<string>();
  for (const g of await client.list(generations).catch(() => [])) {
    if (g.type !== 'DIRECTORY') continue;
    const text = await client.read(`${generations}/${g.pathSuffix}/${MANIFEST}`).catch(() => null);
    const source = text ? parseManifest(text.toString('utf8'))?.source_location : undefined;
    if (source) sources.add(source);
  }
  let purged = 0;
  for (const dir of [...sources].sort())
    if (await purgeFolder(client, dir, current, retainMs, clock, emit)) purged++;
  return purged;
}

function parseManifest(text: string): Manifest | null {
  try {
    const manifest = JSON.parse(text) as Partial<Manifest>;
    return typeof manifest.source_location === 'string' && Array.isArray(manifest.inputs)
      ? (manifest as Manifest)
      : null;
  } catch {
    return null;
  }
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Completes what an interrupted run left: the old folder of a swapped-in generation (record,
 * marker, late files), and generations never swapped in. A generation with a moved marker was
 * swapped in once and superseded: it stays (late writers may still follow its marker; its replaced
 * files go with its record).
 */
async function finishInterrupted(
  client: WebHdfsClient,
  current: string,
  generations: string,
  dryRun: boolean,
  clock: () => Date,
  emit: NonNullable<CompactOptions['emit']>,
): Promise<void> {
  if (dryRun) return;
  let source: string | null = null;
  if (current.startsWith(`${generations}/`)) {
    const text = await client.read(`${current}/${MANIFEST}`).catch(() => null);
    const manifest = text ? parseManifest(text.toString('utf8')) : null;
    // Without the current generation's manifest its old folder is unknown: delete no generation.
    if (!manifest) return;
    source = manifest.source_location;
    const left = await client.list(source).catch(() => null);
    const plan = left && oldFolderPlan(left, manifest.inputs);
    if (plan && (plan.record || plan.marker || plan.late.length)) {
      emit({
        name: 'compaction_resumed',
        level: 'info',
        message: `finishing the swap an interrupted compaction left in ${source}`,
      });
      await leaveOldFolder(client, source, current, manifest.inputs, clock, emit);
    }
  }
  const listing = await client.list(generations).catch(() => []);
  for (const g of listing) {
    const path = `${generations}/${g.pathSuffix}`;
    // Swapped in once (the current one's old folder, or marked or recorded when it was left): it stays.
    if (g.type !== 'DIRECTORY' || path === current || path === source) continue;
    if (await client.exists(`${path}/${MOVED_MARKER}`)) continue;
    if (await client.exists(`${path}/${SUPERSEDED}`)) continue;
    emit({
      name: 'compaction_resumed',
      level: 'info',
      message: `removing ${path}, written by an interrupted compaction but never swapped in`,
    });
    await client.delete(path, { recursive: true });
  }
}

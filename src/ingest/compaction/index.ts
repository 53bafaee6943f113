/**
 * Compaction of a staging table's closed partitions: many small files (hourly batches, streamed
 * JSON lines) merged into files near a target size.
 *
 * Swap: the merged files are written to a new folder `<lakePath>/_compacted/<partition>/g<stamp>/`,
 * their rows counted back and compared with the inputs, a `_qdbt_compaction.json` manifest written
 * beside them, then one `ALTER TABLE ... PARTITION (...) SET LOCATION` points the partition at the
 * new folder: a single metastore update, so a query sees the old files or the new ones, never both
 * or neither. The inputs are deleted after. A crash at any step leaves a state the next run
 * completes: a new folder never swapped in is deleted and redone; a swapped-in folder whose
 * inputs still exist has them deleted (only the files its manifest lists).
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
  status: 'compacted' | 'skipped' | 'open' | 'planned';
  reason?: string;
  filesBefore: number;
  filesAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  rows: number;
  location?: string;
  /** Files that arrived in the old folder while compacting, moved into the new one. */
  lateMoved?: number;
}

const MANIFEST = '_qdbt_compaction.json';

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
  const now = (options.now ?? (() => new Date()))();
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
    await finishInterrupted(client, current, generations, options.dryRun ?? false, emit);

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
    const gen = `${generations}/g${stamp}`;
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
      await client.delete(gen, { recursive: true });
      throw new Error(`${key}: ${rowsIn} rows read but ${rowsOut} written; the partition was left as it was`);
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
    const lateMoved = await leaveOldFolder(client, current, gen, manifest.inputs, emit);
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
      message: `${declaration.sourceName}.${declaration.tableName} ${key}: ${files.length} files -> ${outputs.length}${gzipOut ? ' (gzip)' : parquet ? ' (Parquet)' : ''}, ${rowsIn} rows (checked), now at ${gen}${lateMoved ? `; ${lateMoved} files that arrived meanwhile moved along` : ''}`,
    });
  }
  return results;
}

/**
 * After the swap: the moved marker in the old folder (late writers follow it), the merged inputs
 * deleted, and files that arrived in the old folder meanwhile moved into the new one. Returns how
 * many were moved. The old folder stays, holding only the marker.
 */
async function leaveOldFolder(
  client: WebHdfsClient,
  dir: string,
  gen: string,
  inputs: string[],
  emit: NonNullable<CompactOptions['emit']>,
): Promise<number> {
  await client.create(`${dir}/${MOVED_MARKER}`, movedMarkerBody(gen), { overwrite: true });
  const merged = new Set(inputs);
  for (const name of inputs) await client.delete(`${dir}/${name}`);
  const rest = await client.list(dir).catch(() => []);
  let moved = 0;
  for (const f of rest) {
    if (f.type !== 'FILE' || f.pathSuffix.startsWith('_') || f.pathSuffix.startsWith('.')) continue;
    if (merged.has(f.pathSuffix)) continue;
    // A writer that follows the marker may move it first: either way it ends up in the new folder.
    if (await client.rename(`${dir}/${f.pathSuffix}`, `${gen}/${f.pathSuffix}`)) moved++;
  }
  if (moved)
    emit({
      name: 'compaction_late_files',
      level: 'info',
      message: `${moved} files landed in ${dir} while it was compacted; moved into ${gen}`,
    });
  return moved;
}

/**
 * Completes what an interrupted run left: the old folder of a swapped-in generation (marker,
 * inputs, late files), and generations never swapped in. A generation with a moved marker was
 * swapped in once and superseded: it stays (late writers may still follow its marker).
 */
async function finishInterrupted(
  client: WebHdfsClient,
  current: string,
  generations: string,
  dryRun: boolean,
  emit: NonNullable<CompactOptions['emit']>,
): Promise<void> {
  if (dryRun) return;
  if (current.startsWith(`${generations}/`)) {
    const text = await client.read(`${current}/${MANIFEST}`).catch(() => null);
    if (text) {
      const manifest = JSON.parse(text.toString('utf8')) as Manifest;
      const source = manifest.source_location;
      const left = await client.list(source).catch(() => null);
      const unfinished =
        left !== null &&
        (!left.some((f) => f.pathSuffix === MOVED_MARKER) ||
          left.some((f) => f.type === 'FILE' && !/^[_.]/.test(f.pathSuffix)));
      if (unfinished) {
        emit({
          name: 'compaction_resumed',
          level: 'info',
          message: `finishing the swap an interrupted compaction left in ${source}`,
        });
        await leaveOldFolder(client, source, current, manifest.inputs, emit);
      }
    }
  }
  const listing = await client.list(generations).catch(() => []);
  for (const g of listing) {
    const path = `${generations}/${g.pathSuffix}`;
    if (g.type !== 'DIRECTORY' || path === current) continue;
    if (await client.exists(`${path}/${MOVED_MARKER}`)) continue;
    emit({
      name: 'compaction_resumed',
      level: 'info',
      message: `removing ${path}, written by an interrupted compaction but never swapped in`,
    });
    await client.delete(path, { recursive: true });
  }
}

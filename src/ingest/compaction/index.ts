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
 */
import type { WebHdfsClient } from '../hdfs/webhdfs.js';
import type { LandingDeclaration } from '../landing/types.js';
import { LedgerWriter } from '../ledger/index.js';
import { parsePartitionPath, partitionPath, tableName, type PartitionValues } from '../register/ddl.js';
import { partitionLocation, setPartitionLocation, type RegisterAdapter } from '../register/index.js';

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

async function countLines(
  client: WebHdfsClient,
  path: string,
): Promise<{ lines: number; endsWithNewline: boolean }> {
  let lines = 0;
  let last = 10;
  for await (const chunk of await client.openStream(path)) {
    const buffer = chunk as Buffer;
    let i = -1;
    while ((i = buffer.indexOf(10, i + 1)) !== -1) lines++;
    if (buffer.length) last = buffer[buffer.length - 1]!;
  }
  return { lines: last === 10 ? lines : lines + 1, endsWithNewline: last === 10 };
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
    if (!isClosed(declaration, partition, now, options.lateMs ?? 3_600_000)) {
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
    if (listing.some((f) => f.pathSuffix.startsWith('.') && f.pathSuffix.endsWith('.tmp'))) {
      result.status = 'open';
      result.reason = 'a file is being written';
      continue;
    }
    const files = listing
      .filter((f) => f.type === 'FILE' && !f.pathSuffix.startsWith('.') && !f.pathSuffix.startsWith('_'))
      .sort((a, b) => a.pathSuffix.localeCompare(b.pathSuffix));
    result.filesBefore = files.length;
    result.bytesBefore = files.reduce((n, f) => n + f.length, 0);
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
    const ext = declaration.format === 'csv' ? 'csv' : 'jsonl';
    let rowsIn = 0;
    const outputs: string[] = [];
    for (const [b, bin] of bins.entries()) {
      const name = `part-${String(b).padStart(5, '0')}.${ext}`;
      const tmp = `${gen}/.${name}.tmp`;
      let headerWritten = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        for (const f of bin) {
          let skipping = header;
          let last = 10;
          for await (const chunk of await client.openStream(`${current}/${f.pathSuffix}`)) {
            let buffer = chunk as Buffer;
            if (skipping) {
              const nl = buffer.indexOf(10);
              const headerPart = nl === -1 ? buffer : buffer.subarray(0, nl + 1);
              if (!headerWritten) yield headerPart;
              if (nl === -1) continue;
              skipping = false;
              buffer = buffer.subarray(nl + 1);
            }
            if (!buffer.length) continue;
            let i = -1;
            while ((i = buffer.indexOf(10, i + 1)) !== -1) rowsIn++;
            last = buffer[buffer.length - 1]!;
            yield buffer;
          }
          if (header) headerWritten = true;
          if (last !== 10) {
            rowsIn++;
            yield Buffer.from('\n');
          }
        }
      };
      await client.create(tmp, body());
      await client.rename(tmp, `${gen}/${name}`);
      outputs.push(name);
    }
    // Rows back from HDFS must equal the rows read from the inputs.
    let rowsOut = 0;
    let bytesOut = 0;
    for (const name of outputs) {
      const counted = await countLines(client, `${gen}/${name}`);
      rowsOut += counted.lines - (header ? 1 : 0);
      bytesOut += (await client.status(`${gen}/${name}`))?.length ?? 0;
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
    await removeInputs(client, current, manifest.inputs);
    Object.assign(result, {
      status: 'compacted',
      filesAfter: outputs.length,
      bytesAfter: bytesOut,
      rows: rowsIn,
      location: gen,
    });
    emit({
      name: 'partition_compacted',
      level: 'info',
      message: `${declaration.sourceName}.${declaration.tableName} ${key}: ${files.length} files -> ${outputs.length}, ${rowsIn} rows (checked), now at ${gen}`,
    });
  }
  return results;
}

/** Deletes inputs listed by a manifest, and their folder once empty (never other files). */
async function removeInputs(client: WebHdfsClient, dir: string, inputs: string[]): Promise<void> {
  for (const name of inputs) await client.delete(`${dir}/${name}`);
  const rest = await client.list(dir).catch(() => null);
  if (rest && rest.length === 0) await client.delete(dir);
  else if (rest && rest.every((f) => f.pathSuffix === MANIFEST))
    await client.delete(dir, { recursive: true });
}

/** Completes what an interrupted run left: old inputs of a swapped-in generation, and generations never swapped in. */
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
      if (await client.exists(manifest.source_location)) {
        emit({
          name: 'compaction_resumed',
          level: 'info',
          message: `removing the inputs an interrupted compaction left in ${manifest.source_location}`,
        });
        await removeInputs(client, manifest.source_location, manifest.inputs);
      }
    }
  }
  const listing = await client.list(generations).catch(() => []);
  for (const g of listing) {
    const path = `${generations}/${g.pathSuffix}`;
    if (g.type === 'DIRECTORY' && path !== current) {
      emit({
        name: 'compaction_resumed',
        level: 'info',
        message: `removing ${path}, written by an interrupted compaction but never swapped in`,
      });
      await client.delete(path, { recursive: true });
    }
  }
}

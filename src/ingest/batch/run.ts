/**
 * `qdbt ingest batch`: one pass over a landing folder (or a watch loop of passes). For each new
 * file matched by a declaration: checksum, skip what the ledger already has, land, record in the
 * ledger, then register the new partitions on the staging table.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fnmatch } from '../../graph/glob.js';
import type { WebHdfsClient } from '../hdfs/webhdfs.js';
import type { LandingDeclaration } from '../landing/types.js';
import {
  LedgerWriter,
  mapLimit,
  type NewLedgerRecord,
  readLedger,
  unregisteredPartitions,
  type LandedRecord,
  type QuarantinedRecord,
} from '../ledger/index.js';
import { ensureStagingTable, registerPartition, type RegisterAdapter } from '../register/index.js';
import { partitionPath, type PartitionValues } from '../register/ddl.js';
import { sha256File } from './io.js';
import { landFile, type LocalFile } from './land.js';

export interface BatchEvent {
  name:
    | 'file_landed'
    | 'file_skipped'
    | 'file_quarantined'
    | 'file_failed'
    | 'file_unmatched'
    | 'partition_registered'
    | 'table_created'
    | 'batch_summary';
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

export interface BatchOptions {
  client: WebHdfsClient;
  /** Connects on first use (only when something needs registering). */
  adapter: () => Promise<RegisterAdapter>;
  declarations: LandingDeclaration[];
  /** The local landing folder. */
  from: string;
  /** Files modified less than this long ago may still be being written: left for the next pass. Default 1000. */
  settleMs?: number;
  /** Files landed at once. Default 4. */
  parallel?: number;
  now?: () => Date;
  emit?: (event: BatchEvent) => void;
  /** Stop between files (SIGTERM in --watch). */
  signal?: AbortSignal;
}

export interface BatchSummary {
  landed: number;
  skipped: number;
  quarantined: number;
  failed: number;
  unmatched: number;
  rowsIn: number;
  rowsLanded: number;
  rowsRejected: number;
  bytes: number;
  partitionsRegistered: number;
  seconds: number;
}

interface Candidate {
  path: string;
  relPath: string;
  mtimeMs: number;
  size: number;
}

async function walk(root: string, dir = root, out: Candidate[] = []): Promise<Candidate[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && dir === root) return out;
    throw error;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue; // partial copies, markers
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, path, out);
    else if (entry.isFile()) {
      const s = await stat(path);
      out.push({
        path,
        relPath: relative(root, path).split(sep).join('/'),
        mtimeMs: s.mtimeMs,
        size: s.size,
      });
    }
  }
  return out;
}

export function matchDeclaration(
  declarations: LandingDeclaration[],
  relPath: string,
): LandingDeclaration | null {
  const name = relPath.slice(relPath.lastIndexOf('/') + 1);
  for (const d of declarations) {
    if (d.kind !== 'batch' || !d.filePattern) continue;
    const pattern = d.filePattern;
    if (pattern.includes('/') ? fnmatch(relPath, pattern) : fnmatch(name, pattern)) return d;
  }
  return null;
}

/** One pass over the landing folder. */
export async function ingestBatchOnce(options: BatchOptions): Promise<BatchSummary> {
  const started = performance.now();
  const emit = options.emit ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const settle = options.settleMs ?? 1000;
  const summary: BatchSummary = {
    landed: 0,
    skipped: 0,
    quarantined: 0,
    failed: 0,
    unmatched: 0,
    rowsIn: 0,
    rowsLanded: 0,
    rowsRejected: 0,
    bytes: 0,
    partitionsRegistered: 0,
    seconds: 0,
  };
  const files = (await walk(options.from)).sort((a, b) => a.relPath.localeCompare(b.relPath));
  const byDeclaration = new Map<LandingDeclaration, Candidate[]>();
  for (const file of files) {
    const d = matchDeclaration(options.declarations, file.relPath);
    if (!d) {
      summary.unmatched++;
      emit({
        name: 'file_unmatched',
        level: 'debug',
        message: `${file.relPath}: no landing declaration matches it`,
      });
      continue;
    }
    if (Date.now() - file.mtimeMs < settle) {
      emit({
        name: 'file_skipped',
        level: 'debug',
        message: `${file.relPath}: still changing, left for the next pass`,
      });
      continue;
    }
    const list = byDeclaration.get(d) ?? [];
    list.push(file);
    byDeclaration.set(d, list);
  }

  for (const [declaration, candidates] of byDeclaration) {
    if (options.signal?.aborted) break;
    const label = `${declaration.sourceName}.${declaration.tableName}`;
    const ledger = await readLedger(options.client, declaration);
    const known = new Map<string, LandedRecord | QuarantinedRecord>();
    const versions = new Map<string, Set<string>>();
    /** Sizes of the files landed or quarantined before: a file of another size has other bytes. */
    const knownSizes = new Set<number>();
    for (const r of ledger) {
      if (r.event !== 'landed' && r.event !== 'quarantined') continue;
      known.set(r.checksum, r);
      knownSizes.add(r.bytes);
      const set = versions.get(r.source_file) ?? new Set<string>();
      set.add(r.checksum);
      versions.set(r.source_file, set);
    }
    const writer = new LedgerWriter(options.client, declaration);
    const records = new LedgerBatch(writer);
    /** A file's ledger write, then its summary and event: a worker goes on to its next file meanwhile. */
    const recorded: Promise<void>[] = [];
    // Partitions are registered during the pass, as soon as a file has landed in them (and those a
    // stopped pass left unregistered, at once): their `registered` records then go out with the
    // next ledger append instead of one more append at the end. One registration at a time, on one
    // connection. ADD IF NOT EXISTS PARTITION: a pass that stops in between registers again.
    const registering = new Set<string>();
    let registrations: Promise<void> = Promise.resolve();
    let registerError: unknown = null;
    let adapter: Promise<RegisterAdapter> | null = null;
    const register = (partition: PartitionValues, location: string): void => {
      const key = partitionPath(partition);
      if (registering.has(key)) return;
      registering.add(key);
      registrations = registrations.then(async () => {
        if (registerError) return;
        try {
          if (!adapter)
            adapter = (async () => {
              const connected = await options.adapter();
              const ddl = await ensureStagingTable(connected, declaration);
              emit({ name: 'table_created', level: 'debug', message: ddl });
              return connected;
            })();
          await registerPartition(await adapter, declaration, partition, location);
        } catch (error) {
          registerError = error;
          return;
        }
        recorded.push(
          records.append({ event: 'registered', partition, location }).then(
            () => {
              summary.partitionsRegistered++;
              emit({
                name: 'partition_registered',
                level: 'info',
                message: `${declaration.stagingTable.schema}.${declaration.stagingTable.name}: partition ${key} registered`,
              });
            },
            (error: unknown) => {
              registerError ??= error;
            },
          ),
        );
      });
    };
    for (const p of unregisteredPartitions(ledger)) register(p.partition, p.location);
    let hashQueue: Promise<void> = Promise.resolve();
    const failed = (candidate: Candidate, error: unknown): void => {
      summary.failed++;
      emit({
        name: 'file_failed',
        level: 'error',
        message: `${label}: ${candidate.relPath}: ${(error as Error).message} (left in place; the next pass retries it)`,
      });
    };

    await mapLimit(candidates, options.parallel ?? 4, async (candidate) => {
      if (options.signal?.aborted) return;
      try {
        const name = candidate.relPath.slice(candidate.relPath.lastIndexOf('/') + 1);
        /** The file's version, or null when its bytes are known (landed, quarantined, or earlier in this pass). */
        const claim = (checksum: string): number | null => {
          const seen = known.get(checksum);
          if (seen) {
            emit({
              name: 'file_skipped',
              level: 'debug',
              message: `${candidate.relPath}: already ${seen.event} (same sha256 as ${seen.source_path}, ${seen.at})`,
            });
            return null;
          }
          const names = versions.get(name) ?? new Set<string>();
          names.add(checksum);
          versions.set(name, names);
          // A copy of the same bytes later in this pass is skipped too.
          known.set(checksum, {
            event: 'landed',
            source_path: candidate.relPath,
            at: 'this pass',
          } as LandedRecord);
          return names.size;
        };
        const file: LocalFile = {
          path: candidate.path,
          relPath: candidate.relPath,
          bytes: candidate.size,
          checksum: '',
          version: 0,
        };
        // A CSV file of a size never landed cannot be a known one: its checksum comes from the read
        // that lands it. Otherwise the checksum first (one at a time, so the first file starts
        // landing as soon as its own is known), and a known file is not read again.
        if (declaration.format !== 'csv' || knownSizes.has(candidate.size)) {
          const hashing = hashQueue.then(() => sha256File(candidate.path));
          hashQueue = hashing.then(
            () => undefined,
            () => undefined,
          );
          const { checksum, bytes } = await hashing;
          const version = claim(checksum);
          if (version === null) {
            summary.skipped++;
            return;
          }
          Object.assign(file, { checksum, bytes, version });
        }
        const result = await landFile(options.client, declaration, file, now(), (checksum) =>
          claim(checksum),
        );
        const bytes = file.bytes;
        if (result.status === 'skipped') {
          summary.skipped++;
          return;
        }
        if (result.status === 'quarantined') {
          const record = result.record;
          recorded.push(
            records.append(record).then(
              () => {
                summary.quarantined++;
                emit({
                  name: 'file_quarantined',
                  level: 'warn',
                  message: `${label}: ${candidate.relPath} quarantined: ${record.reason} (${record.path})`,
                  data: { ...record },
                });
              },
              (error: unknown) => failed(candidate, error),
            ),
          );
          return;
        }
        recorded.push(
          records.append(...result.records).then(
            () => {
              const rows = result.records.reduce((n, r) => n + r.rows, 0);
              const rejected = result.records.reduce((n, r) => n + r.rows_rejected, 0);
              summary.landed++;
              summary.rowsLanded += rows;
              summary.rowsRejected += rejected;
              summary.rowsIn += rows + rejected;
              summary.bytes += bytes;
              const first = result.records[0]!;
              const how = first.normalized ? 'normalized' : 'unchanged';
              emit({
                name: 'file_landed',
                level: rejected ? 'warn' : 'info',
                message:
                  `${label}: ${candidate.relPath}${file.version > 1 ? ` (version ${file.version})` : ''} landed ${how}, ${rows} rows` +
                  (rejected ? `, ${rejected} rejected (${first.rejects_path})` : '') +
                  ` -> ${result.records.map((r) => r.path).join(', ')}`,
                data: { records: result.records },
              });
            },
            (error: unknown) => failed(candidate, error),
          ),
        );
        for (const r of result.records)
          register(r.partition, `${declaration.lakePath}/${partitionPath(r.partition)}`);
      } catch (error) {
        failed(candidate, error);
      }
    });

    await registrations;
    records.flush();
    // The records of registrations pushed while waiting are in the list by now.
    for (let i = 0; i < recorded.length; i++) await recorded[i];
    if (registerError) throw registerError;
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/**
 * Ledger records written in as few appends as possible. A small HDFS append or create costs about
 * 0.05 to 0.8 s whatever its size (the DataNode waits for the NameNode to complete the block), and
 * appends to one file go one at a time: records wait up to `delayMs` to go together, and flush()
 * (the end of a pass) sends what is left at once. A worker does not wait for its records: it goes on
 * to its next file. A pass that stops in between leaves landed files without records: the next
 * pass lands them again under the same names (moveIntoPlace) and records them.
 */
class LedgerBatch {
  private waiting: Array<{ records: NewLedgerRecord[]; done: (error?: unknown) => void }> = [];
  private busy = false;
  private flushing = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly writer: LedgerWriter,
    private readonly delayMs = 2000,
  ) {}

  append(...records: NewLedgerRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ records, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.schedule();
    });
  }

  /** From now on, records go out at once. */
  flush(): void {
    this.flushing = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.busy || !this.waiting.length) return;
    if (this.flushing) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.pump();
    } else if (!this.timer)
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.pump();
      }, this.delayMs);
  }

  private async pump(): Promise<void> {
    this.busy = true;
    const batch = this.waiting;
    this.waiting = [];
    try {
      await this.writer.append(...batch.flatMap((b) => b.records));
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.done(error ?? new Error('ledger append failed'));
    }
    this.busy = false;
    this.schedule();
  }
}

/** Passes until the signal aborts; a pass in progress finishes its current files first. */
export async function watchBatch(
  options: BatchOptions & { intervalMs: number; onPass?: (summary: BatchSummary) => void },
): Promise<void> {
  const signal = options.signal;
  while (!signal?.aborted) {
    const summary = await ingestBatchOnce(options);
    options.onPass?.(summary);
    if (signal?.aborted) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.intervalMs);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

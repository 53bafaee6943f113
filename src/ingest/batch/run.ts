/**
 * `qdbt ingest batch`: one pass over a landing folder (or a watch loop of passes). For each new
 * file matched by a declaration: checksum, skip what the ledger already has, land, record in the
 * ledger, then register the new partitions on the staging table.
 *
 * Which files land is LandingState's (ledger/state.ts): files quarantined are tried again once their
 * declaration changed (or with retryQuarantined), and a landing that stopped between its rename and
 * its ledger record (its intent marker, ledger/intents.ts, still open) is finished where it began.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fnmatch } from '../../graph/glob.js';
import type { WebHdfsClient } from '../hdfs/webhdfs.js';
import type { LandingDeclaration } from '../landing/types.js';
import {
  compactionInputs,
  compactLedger,
  currentRecords,
  LedgerView,
  LedgerWriter,
  listLedgerFiles,
  loadLedger,
  mapLimit,
  MAX_LEDGER_FILES,
  type LedgerHooks,
  type LedgerRecord,
  type NewLedgerRecord,
  unregisteredPartitions,
} from '../ledger/index.js';
import { deleteIntentRun, IntentLog, intentName, readIntents, type Intent } from '../ledger/intents.js';
import { LandingState, type Decision } from '../ledger/state.js';
import { ensureStagingTable, registerPartition, type RegisterAdapter } from '../register/index.js';
import { partitionPath, type PartitionValues } from '../register/ddl.js';
import { sha256File } from './io.js';
import { landFile, landingName, type LocalFile } from './land.js';
import { declarationFingerprint } from './records.js';

export interface BatchEvent {
  name:
    | 'file_landed'
    | 'file_skipped'
    | 'file_quarantined'
    | 'file_failed'
    | 'file_unmatched'
    | 'quarantine_kept'
    | 'partition_registered'
    | 'table_created'
    | 'ledger_compacted'
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
  /** Try every quarantined file again (`--retry-quarantined`), not only those whose declaration changed. */
  retryQuarantined?: boolean;
  /** Fault injection for tests: the ledger's appends. */
  ledgerHooks?: LedgerHooks;
  /**
   * What a watch process remembers between its passes (watchBatch makes one): the checksums of the
   * landing files by stat, and the ledgers read. One-shot runs go without: they read everything.
   */
  memory?: BatchMemory;
  /** How a file is hashed when its checksum is needed before landing (tests count the reads). */
  hashFile?: (path: string) => Promise<{ checksum: string; bytes: number }>;
  /** The ledger is compacted at the start of a pass when it has more files than this. Default 64. */
  maxLedgerFiles?: number;
}

/** A landing file's identity on disk: when all of it is unchanged, so are its bytes. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  /** Changes on every write, and cannot be set back (unlike mtime: `touch -d`, `cp -p`). */
  ctimeMs: number;
  /** 0 where the platform has none. */
  ino: number;
}

/**
 * The sha256 of landing files, by path, with the stat they had when hashed: a file whose stat is
 * unchanged is not read again; any change (size, mtime, ctime, inode: rewritten, replaced, touched)
 * and it is hashed again. Only the checksum is remembered: what to do with it (skip, land a new
 * version, retry from quarantine) is still the ledger's answer, every pass.
 */
export class FileChecksums {
  private readonly byPath = new Map<string, FileStat & { checksum: string }>();

  /** The checksum of the file at `path` if it was hashed with this very stat. */
  get(path: string, stat: FileStat): string | null {
    const seen = this.byPath.get(path);
    if (!seen) return null;
    const same =
      seen.size === stat.size &&
      seen.mtimeMs === stat.mtimeMs &&
      seen.ctimeMs === stat.ctimeMs &&
      seen.ino === stat.ino;
    return same ? seen.checksum : null;
  }

  set(path: string, stat: FileStat, checksum: string): void {
    this.byPath.set(path, {
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      ctimeMs: stat.ctimeMs,
      ino: stat.ino,
      checksum,
    });
  }

  /** Forgets the files no longer in the landing folder. */
  keepOnly(paths: Iterable<string>): void {
    const keep = new Set(paths);
    for (const p of [...this.byPath.keys()]) if (!keep.has(p)) this.byPath.delete(p);
  }

  get size(): number {
    return this.byPath.size;
  }
}

/** What a watch process carries from one pass to the next. */
export class BatchMemory {
  readonly checksums = new FileChecksums();
  /** Per table (lakePath): its ledger as this process last knew it. */
  readonly ledgers = new Map<string, LedgerView>();
}

export interface BatchSummary {
  landed: number;
  /** Landed or quarantined before (those kept in quarantine included), or copies of a file of this pass. */
  skipped: number;
  /** Of the skipped: quarantined before, against the same declaration (or one not recorded). */
  keptInQuarantine: number;
  /** Quarantined before and tried again (landed or quarantined again: counted there too). */
  retried: number;
  /** Landings a stopped run left unrecorded, finished (counted as landed too). */
  recovered: number;
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

interface Candidate extends FileStat {
  path: string;
  relPath: string;
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
        ctimeMs: s.ctimeMs,
        ino: s.ino ?? 0,
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
    keptInQuarantine: 0,
    retried: 0,
    recovered: 0,
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
  const memory = options.memory;
  memory?.checksums.keepOnly(files.map((f) => f.path));
  const hashFile = options.hashFile ?? sha256File;
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
    let view = memory?.ledgers.get(declaration.lakePath) ?? null;
    if (memory && !view) memory.ledgers.set(declaration.lakePath, (view = new LedgerView()));
    const [raw, intentRuns] = await Promise.all([
      ledgerRecords(options, declaration, view, emit),
      readIntents(options.client, declaration),
    ]);
    const ledger = currentRecords(raw);
    const state = new LandingState(
      ledger,
      intentRuns.flatMap((r) => r.intents),
      { fingerprint: declarationFingerprint(declaration), retryQuarantined: options.retryQuarantined },
    );
    /** The names the open intents' files landed under (a round trip each: only after a run stopped). */
    const intentNames = new Map<Intent, string | null>();
    await mapLimit(state.openIntents(), 8, async (intent) => {
      intentNames.set(intent, await intentName(options.client, declaration, intent));
    });
    const writer = new LedgerWriter(options.client, declaration, 'batch', options.ledgerHooks);
    const records = new LedgerBatch(writer);
    const intents = new IntentLog(options.client, declaration, writer.run);
    const kept = { unchanged: 0, unknown: 0 };
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
        /** What the ledger says of the file's bytes, once known (claim() sets it). */
        const known: { decision: Decision | null } = { decision: null };
        /** The file's version, or null when it is not to land (known bytes, or kept in quarantine). */
        const claim = (checksum: string): number | null => {
          const d = state.claim(checksum, name, candidate.relPath);
          if (d.action === 'skip' || d.action === 'keep') {
            if (d.action === 'keep') kept[d.why]++;
            emit({
              name: 'file_skipped',
              level: 'debug',
              message:
                d.action === 'keep'
                  ? `${candidate.relPath}: stays in quarantine (same sha256 as ${d.record.source_path}, ${d.record.at}; ${d.why === 'unchanged' ? 'its declaration is unchanged' : 'checked against a declaration not recorded'}): ${d.record.reason}`
                  : `${candidate.relPath}: already ${d.why === 'landed' ? 'landed' : 'landing'} (same sha256 as ${d.sourcePath}, ${d.at})`,
            });
            return null;
          }
          known.decision = d;
          return d.version;
        };
        const file: LocalFile = {
          path: candidate.path,
          relPath: candidate.relPath,
          bytes: candidate.size,
          checksum: '',
          version: 0,
        };
        // A watch process knows the checksum of a file hashed in an earlier pass whose stat has
        // not changed since: not read again (it is still claimed, so the ledger decides as ever).
        // A CSV file of a size never seen cannot be a known one: its checksum comes from the read
        // that lands it. Otherwise the checksum first (one at a time, so the first file starts
        // landing as soon as its own is known), and a known file is not read again.
        const remembered = memory?.checksums.get(candidate.path, candidate) ?? null;
        if (remembered !== null || declaration.format !== 'csv' || state.knownSizes.has(candidate.size)) {
          let checksum: string;
          let bytes = candidate.size;
          if (remembered !== null) checksum = remembered;
          else {
            const hashing = hashQueue.then(() => hashFile(candidate.path));
            hashQueue = hashing.then(
              () => undefined,
              () => undefined,
            );
            ({ checksum, bytes } = await hashing);
            // Bytes other than the stat's: the file changed while read; hashed again next pass.
            if (bytes === candidate.size) memory?.checksums.set(candidate.path, candidate, checksum);
          }
          const version = claim(checksum);
          if (version === null) {
            summary.skipped++;
            return;
          }
          Object.assign(file, { checksum, bytes, version });
        }
        // Finishing a landing that stopped: at its time and under its name, so to the same paths.
        const first = known.decision?.action === 'recover' ? known.decision.intent : null;
        if (first) file.landedAs = intentNames.get(first) ?? undefined;
        const ingestedAt = first ? new Date(first.ingestedAt) : now();
        const result = await landFile(options.client, declaration, file, ingestedAt, claim, {
          intend: (f, at) => intents.mark(f.checksum, f.bytes, at, landingName(f)),
        });
        // The checksum the landing read gave (a CSV file of a new size).
        if (file.checksum && file.bytes === candidate.size)
          memory?.checksums.set(candidate.path, candidate, file.checksum);
        const bytes = file.bytes;
        if (result.status === 'skipped') {
          summary.skipped++;
          return;
        }
        const retried = known.decision?.action === 'retry' ? known.decision : null;
        if (retried) summary.retried++;
        if (result.status === 'quarantined') {
          const record = result.record;
          recorded.push(
            records.append(record).then(
              (written) => {
                state.recorded(
                  record.checksum,
                  written[0] as Extract<LedgerRecord, { event: 'quarantined' }>,
                );
                summary.quarantined++;
                emit({
                  name: 'file_quarantined',
                  level: 'warn',
                  message: `${label}: ${candidate.relPath} quarantined${retried ? ' again' : ''}: ${record.reason} (${record.path})`,
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
            (written) => {
              intents.settle(file.checksum);
              state.recorded(file.checksum, written[0] as Extract<LedgerRecord, { event: 'landed' }>);
              const rows = result.records.reduce((n, r) => n + r.rows, 0);
              const rejected = result.records.reduce((n, r) => n + r.rows_rejected, 0);
              summary.landed++;
              if (first) summary.recovered++;
              summary.rowsLanded += rows;
              summary.rowsRejected += rejected;
              summary.rowsIn += rows + rejected;
              summary.bytes += bytes;
              const head = result.records[0]!;
              const normalized = head.normalized ? 'normalized' : 'unchanged';
              const note = first
                ? ` (finishing the landing of ${first.ingestedAt} that a stopped run left unrecorded)`
                : retried
                  ? ` (was quarantined; tried again: ${retried.why === 'forced' ? '--retry-quarantined' : 'its declaration changed'})`
                  : '';
              emit({
                name: 'file_landed',
                level: rejected ? 'warn' : 'info',
                message:
                  `${label}: ${candidate.relPath}${file.version > 1 ? ` (version ${file.version})` : ''} landed ${normalized}, ${rows} rows` +
                  (rejected ? `, ${rejected} rejected (${head.rejects_path})` : '') +
                  ` -> ${result.records.map((r) => r.path).join(', ')}${note}`,
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
    // The run's file is finished: the next pass knows its records without reading them.
    view?.addWritten(writer);
    // Intent markers: this run's go once its files are recorded (one call); those of runs that
    // stopped, once all their files are recorded and nobody added one for a while (not a live run's).
    const cleanups: Array<Promise<unknown>> = [intents.clear()];
    for (const run of intentRuns)
      if (
        run.run !== writer.run &&
        Date.now() - run.modificationTime > STALE_INTENTS_MS &&
        run.intents.every((i) => !state.isOpen(i))
      )
        cleanups.push(deleteIntentRun(options.client, declaration, run.run));
    await Promise.all(cleanups.map((c) => c.catch(() => undefined)));
    const stay = kept.unchanged + kept.unknown;
    summary.keptInQuarantine += stay;
    if (stay) {
      const why = [
        ...(kept.unchanged ? [`${kept.unknown ? `${kept.unchanged} ` : ''}unchanged declaration`] : []),
        ...(kept.unknown
          ? [`${kept.unchanged ? `${kept.unknown} ` : ''}checked before qdbt recorded declarations`]
          : []),
      ];
      emit({
        name: 'quarantine_kept',
        level: 'info',
        message: `${label}: ${stay} file${stay === 1 ? '' : 's'} stay${stay === 1 ? 's' : ''} in quarantine (${why.join(', ')}); fix the file or the declaration, or pass --retry-quarantined`,
        data: { ...kept },
      });
    }
    if (registerError) throw registerError;
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/**
 * The ledger at the start of a pass, every record: merged first when it has more than
 * maxLedgerFiles files (a failed merge is reported and the pass goes on), then read, unless `view`
 * (a watch process's) already holds every file listed.
 */
async function ledgerRecords(
  options: BatchOptions,
  declaration: LandingDeclaration,
  view: LedgerView | null,
  emit: (event: BatchEvent) => void,
): Promise<LedgerRecord[]> {
  const client = options.client;
  let listing = await listLedgerFiles(client, declaration);
  const compact = { maxFiles: options.maxLedgerFiles ?? MAX_LEDGER_FILES, sealed: view?.sealed, listing };
  if (compactionInputs(listing, compact).length)
    try {
      const merged = await compactLedger(client, declaration, compact);
      if (merged) {
        listing = await listLedgerFiles(client, declaration);
        emit({
          name: 'ledger_compacted',
          level: 'debug',
          message: `${declaration.sourceName}.${declaration.tableName}: ${merged} ledger files merged into one (${listing.length} left)`,
        });
      }
    } catch (error) {
      emit({
        name: 'ledger_compacted',
        level: 'warn',
        message: `${declaration.sourceName}.${declaration.tableName}: ledger not merged (${(error as Error).message}); tried again next pass`,
      });
      listing = await listLedgerFiles(client, declaration);
    }
  return (await loadLedger(client, declaration, view, listing)).records;
}

/** A stopped run's intent folder is deleted only after this long without a new marker (not a live run's). */
const STALE_INTENTS_MS = 10 * 60_000;

/**
 * Ledger records written in as few appends as possible. A small HDFS append or create costs about
 * 0.05 to 0.8 s whatever its size (the DataNode waits for the NameNode to complete the block), and
 * appends to one file go one at a time: records wait up to `delayMs` to go together, and flush()
 * (the end of a pass) sends what is left at once. A worker does not wait for its records: it goes on
 * to its next file. A pass that stops in between leaves landed files without records, but with
 * their intent markers: the next pass lands them again at the same time under the same names, so to
 * the same paths (moveIntoPlace keeps the file in place), and records them.
 */
class LedgerBatch {
  private waiting: Array<{
    records: NewLedgerRecord[];
    done: (error?: unknown, written?: LedgerRecord[]) => void;
  }> = [];
  private busy = false;
  private flushing = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly writer: LedgerWriter,
    private readonly delayMs = 2000,
  ) {}

  /** Resolves with the records as written (ids and times set). */
  append(...records: NewLedgerRecord[]): Promise<LedgerRecord[]> {
    return new Promise<LedgerRecord[]>((resolve, reject) => {
      this.waiting.push({
        records,
        done: (error, written) => (error === undefined ? resolve(written ?? []) : reject(error)),
      });
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
      const written = await this.writer.append(...batch.flatMap((b) => b.records));
      let at = 0;
      for (const b of batch) {
        b.done(undefined, written.slice(at, at + b.records.length));
        at += b.records.length;
      }
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
  const memory = options.memory ?? new BatchMemory();
  let first = true;
  while (!signal?.aborted) {
    // --retry-quarantined retries once, on the first pass (those quarantined again then carry the
    // declaration's fingerprint, so later passes keep them).
    const summary = await ingestBatchOnce({
      ...options,
      memory,
      retryQuarantined: first && options.retryQuarantined,
    });
    first = false;
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

/**
 * The ledger: one JSON line per event (a file landed, quarantined, a partition registered or
 * compacted), kept in the lake beside the data it describes, under `<lakePath>/_qdbt_ledger/`.
 * Each ingest run appends to a file of its own, so concurrent writers never share a lease.
 * It feeds idempotency (checksums already landed), `qdbt source freshness` and the docs.
 * Batch landings also leave intent markers beside it, under `_intents/` (intents.ts): not records,
 * and not read here.
 */
import { randomBytes } from 'node:crypto';
import type { LandingDeclaration } from '../landing/types.js';
import { WebHdfsError, type WebHdfsClient } from '../hdfs/webhdfs.js';
import type { PartitionValues } from '../register/ddl.js';

export const LEDGER_VERSION = 1;

interface LedgerBase {
  v: number;
  /** Unique per record: readers drop duplicates (a ledger merge interrupted halfway). */
  id: string;
  /** `source.<project>.<source>.<table>`. */
  source: string;
  at: string;
}

export interface LandedRecord extends LedgerBase {
  event: 'landed';
  /** File name as it arrived, and its path relative to the landing folder. */
  source_file: string;
  source_path: string;
  /** sha256 of the file as it arrived. */
  checksum: string;
  /** 1 for the first content seen under this name, 2 for the next, ... */
  version: number;
  rows: number;
  rows_rejected: number;
  /** Bytes as received, and as landed (differ when the file was normalized). */
  bytes: number;
  landed_bytes: number;
  partition: PartitionValues;
  /** HDFS path of the file the staging table reads. */
  path: string;
  /** The original bytes, when the landed file was normalized (columns reordered, bad rows removed). */
  original_path: string | null;
  rejects_path: string | null;
  normalized: boolean;
}

export interface QuarantinedRecord extends LedgerBase {
  event: 'quarantined';
  source_file: string;
  source_path: string;
  checksum: string;
  bytes: number;
  reason: string;
  path: string;
  /**
   * The declaration the file was checked against (declarationFingerprint): the file is tried again
   * once that changes. Absent from records written before qdbt recorded it.
   */
  declaration_fingerprint?: string;
}

export interface RegisteredRecord extends LedgerBase {
  event: 'registered';
  partition: PartitionValues;
  location: string;
}

export interface CompactedRecord extends LedgerBase {
  event: 'compacted';
  partition: PartitionValues;
  old_location: string;
  location: string;
  files_before: number;
  files_after: number;
  bytes_before: number;
  bytes_after: number;
  rows: number;
}

export type LedgerRecord = LandedRecord | QuarantinedRecord | RegisteredRecord | CompactedRecord;

type Omitted<T> = T extends LedgerRecord ? Omit<T, 'v' | 'id' | 'source' | 'at'> & { at?: string } : never;
export type NewLedgerRecord = Omitted<LedgerRecord>;

export function ledgerDir(declaration: Pick<LandingDeclaration, 'lakePath'>): string {
  return `${declaration.lakePath}/_qdbt_ledger`;
}

/**
 * A table's ledger as it stands, oldest first: every record, except a `quarantined` one that a later
 * record for the same file (sha256) supersedes: a `landed` one (the file was tried again and landed)
 * or another `quarantined` one (tried again, quarantined again). What freshness and the docs read.
 */
export async function readLedger(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
): Promise<LedgerRecord[]> {
  return currentRecords(await readLedgerRecords(client, declaration));
}

/** See readLedger: drops the `quarantined` records superseded by a later record of the same file. */
export function currentRecords(records: LedgerRecord[]): LedgerRecord[] {
  const landed = new Set<string>();
  const lastQuarantine = new Map<string, LedgerRecord>();
  for (const r of records)
    if (r.event === 'landed') landed.add(r.checksum);
    else if (r.event === 'quarantined') lastQuarantine.set(r.checksum, r);
  if (!lastQuarantine.size) return records;
  return records.filter(
    (r) => r.event !== 'quarantined' || (!landed.has(r.checksum) && lastQuarantine.get(r.checksum) === r),
  );
}

/** A ledger file as listed: records are in `<run>.jsonl` files (not hidden, not `.tmp`). */
export interface LedgerFile {
  name: string;
  length: number;
  /** ms since the epoch, NameNode clock. */
  modificationTime: number;
}

/** The ledger's files, by name; [] when it has none. */
export async function listLedgerFiles(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
): Promise<LedgerFile[]> {
  let files;
  try {
    files = await client.list(ledgerDir(declaration));
  } catch (error) {
    if (error instanceof WebHdfsError && error.notFound) return [];
    throw error;
  }
  return files
    .filter((f) => f.type === 'FILE' && isLedgerFile(f.pathSuffix))
    .map((f) => ({ name: f.pathSuffix, length: f.length, modificationTime: f.modificationTime }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function isLedgerFile(name: string): boolean {
  return name.endsWith('.jsonl') && !name.startsWith('.');
}

/** Records of ledger files' texts, in order, each id once (a merge interrupted halfway leaves copies). */
function parseRecords(texts: string[], seen = new Set<string>()): LedgerRecord[] {
  const records: LedgerRecord[] = [];
  for (const text of texts)
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let record: LedgerRecord;
      try {
        record = JSON.parse(line) as LedgerRecord;
      } catch {
        continue; // a line cut by a crash mid-append
      }
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      records.push(record);
    }
  return records;
}

function byTime(records: LedgerRecord[]): LedgerRecord[] {
  return records.sort((a, b) => a.at.localeCompare(b.at));
}

/** Every record of a table's ledger, oldest first, superseded or not (what a merge keeps). */
export async function readLedgerRecords(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
): Promise<LedgerRecord[]> {
  return (await readLedgerFiles(client, declaration)).records;
}

/**
 * The records and the files they were read from. A file listed but gone when read was merged
 * meanwhile (compactLedger writes the merged file before it deletes its inputs): read again from
 * a new listing, so that no record is missed.
 */
export async function readLedgerFiles(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
): Promise<{ records: LedgerRecord[]; files: LedgerFile[] }> {
  const dir = ledgerDir(declaration);
  for (let attempt = 1; ; attempt++) {
    const files = await listLedgerFiles(client, declaration);
    let texts: string[];
    try {
      texts = await mapLimit(files, 8, (f) =>
        client.read(`${dir}/${f.name}`).then((b) => b.toString('utf8')),
      );
    } catch (error) {
      if (error instanceof WebHdfsError && error.notFound && attempt < 5) continue;
      throw error;
    }
    return { records: byTime(parseRecords(texts)), files };
  }
}

/**
 * A table's ledger as a process last read it, plus what it wrote since: a watch process reads the
 * ledger again only when its listing shows a file it does not know, or a length it did not write
 * (another writer), not every pass.
 */
export class LedgerView {
  /** Every record, oldest first, superseded or not (as readLedgerRecords). */
  records: LedgerRecord[] = [];
  /** The files the records are from: name and length. */
  readonly files = new Map<string, number>();
  /** Files this process wrote and finished (its past passes'): mergeable at once. */
  readonly sealed = new Set<string>();

  /** Whether `listing` holds exactly the files and lengths the view knows. */
  matches(listing: LedgerFile[]): boolean {
    if (listing.length !== this.files.size) return false;
    return listing.every((f) => this.files.get(f.name) === f.length);
  }

  /** Replaces the view with what was read. */
  reset(records: LedgerRecord[], files: LedgerFile[]): void {
    this.records = records;
    this.files.clear();
    for (const f of files) this.files.set(f.name, f.length);
    for (const name of [...this.sealed]) if (!this.files.has(name)) this.sealed.delete(name);
  }

  /** Adds what a writer of this process wrote, once it is done with its file. */
  addWritten(writer: LedgerWriter): void {
    if (!writer.file) return;
    const ids = new Set(this.records.map((r) => r.id));
    this.records = byTime([...this.records, ...writer.written.filter((r) => !ids.has(r.id))]);
    this.files.set(writer.file, writer.length);
    this.sealed.add(writer.file);
  }
}

/**
 * The ledger's records: from `view` when the listing shows nothing it does not know, else read
 * (and the view reset). `listing` is the ledger's files as just listed.
 */
export async function loadLedger(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
  view: LedgerView | null,
  listing?: LedgerFile[],
): Promise<{ records: LedgerRecord[]; read: boolean }> {
  if (view && listing && view.matches(listing)) return { records: view.records, read: false };
  const { records, files } = await readLedgerFiles(client, declaration);
  view?.reset(records, files);
  return { records, read: true };
}

/** Fault injection (tests): runs before each append, which fails without writing when it throws. */
export interface LedgerHooks {
  beforeAppend?: (records: LedgerRecord[]) => void | Promise<void>;
}

/** Appends records to one run's ledger file (created on first write). Writes are serialized. */
export class LedgerWriter {
  /** The run's name: its ledger file's, without `.jsonl` (`<UTC stamp>-<kind>-<random>`). */
  readonly run: string;
  private readonly path: string;
  private created = false;
  private queue: Promise<void> = Promise.resolve();
  /** Records written (appends that succeeded), and the bytes they make: the file's length. */
  readonly written: LedgerRecord[] = [];
  length = 0;

  constructor(
    private readonly client: WebHdfsClient,
    private readonly declaration: Pick<LandingDeclaration, 'lakePath' | 'uniqueId'>,
    kind = 'batch',
    private readonly hooks: LedgerHooks = {},
  ) {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    this.run = `${stamp}-${kind}-${randomBytes(4).toString('hex')}`;
    this.path = `${ledgerDir(declaration)}/${this.run}.jsonl`;
  }

  /** The file's name in the ledger folder, once created. */
  get file(): string | null {
    return this.created ? `${this.run}.jsonl` : null;
  }

  append(...records: NewLedgerRecord[]): Promise<LedgerRecord[]> {
    const full = records.map(
      (r) =>
        ({
          v: LEDGER_VERSION,
          id: randomBytes(8).toString('hex'),
          source: this.declaration.uniqueId,
          ...r,
          at: r.at ?? new Date().toISOString(),
        }) as LedgerRecord,
    );
    const text = full.map((r) => `${JSON.stringify(r)}\n`).join('');
    const next = this.queue.then(async () => {
      await this.hooks.beforeAppend?.(full);
      if (!this.created) {
        await this.client.create(this.path, text);
        this.created = true;
        this.length = 0;
      } else
        try {
          await this.client.append(this.path, text);
        } catch (error) {
          // Merged into another file by compactLedger (this run was quiet for long): what it held
          // is in the merged file, so the file starts again with these records.
          if (!(error instanceof WebHdfsError && error.notFound)) throw error;
          await this.client.create(this.path, text);
          this.length = 0;
        }
      this.length += Buffer.byteLength(text);
      this.written.push(...full);
    });
    this.queue = next.catch(() => undefined);
    return next.then(() => full);
  }
}

/** Ledger files merged by default once there are more than this. */
export const MAX_LEDGER_FILES = 64;
/**
 * A ledger file not written to for this long is taken as finished (its run is over): runs append
 * every few seconds while they land. A run quiet for longer that appends again after its file was
 * merged starts the file again (LedgerWriter).
 */
export const LEDGER_QUIET_MS = 10 * 60_000;

export interface CompactOptions {
  /** Merge when the ledger has more files than this. Default MAX_LEDGER_FILES. */
  maxFiles?: number;
  quietMs?: number;
  /** Files known finished whatever their age (a watch process's own past passes). */
  sealed?: ReadonlySet<string>;
  /** ms since the epoch, to compare with modification times. */
  now?: number;
}

/**
 * The files to merge, or [] when the ledger is not over `maxFiles` or fewer than two are finished:
 * those not modified for `quietMs`, and the `sealed` ones. A file a live run may still append to
 * is left alone.
 */
export function compactionInputs(listing: LedgerFile[], options: CompactOptions = {}): LedgerFile[] {
  const maxFiles = options.maxFiles ?? MAX_LEDGER_FILES;
  if (listing.length <= maxFiles) return [];
  const now = options.now ?? Date.now();
  const quiet = options.quietMs ?? LEDGER_QUIET_MS;
  const inputs = listing.filter((f) => options.sealed?.has(f.name) || now - f.modificationTime >= quiet);
  return inputs.length >= 2 ? inputs : [];
}

/**
 * Merges the finished files of a ledger of more than `maxFiles` files into one (each run that
 * writes adds a file). Readers see every record at every moment: the merged file is written under a
 * temporary name (not read), renamed into place, and only then are its inputs deleted, each only if
 * unchanged since it was read (length and time); a crash in between leaves copies of records, which
 * readers drop (by id), and a reader whose listed file is deleted under it reads the ledger again.
 * Returns the number of files merged.
 */
export async function compactLedger(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
  options: CompactOptions & { listing?: LedgerFile[] } = {},
): Promise<number> {
  const dir = ledgerDir(declaration);
  const listing = options.listing ?? (await listLedgerFiles(client, declaration));
  const now = options.now ?? Date.now();
  const quiet = options.quietMs ?? LEDGER_QUIET_MS;
  const candidates = compactionInputs(listing, { ...options, now });
  if (!candidates.length) return 0;
  // Read as listed: a file whose length differs is being written to, and stays as it is.
  let texts: Array<string | null>;
  try {
    texts = await mapLimit(candidates, 8, async (f) => {
      const bytes = await client.read(`${dir}/${f.name}`);
      return bytes.length === f.length ? bytes.toString('utf8') : null;
    });
  } catch (error) {
    if (error instanceof WebHdfsError && error.notFound) return 0; // another process is merging them
    throw error;
  }
  const inputs = candidates.filter((_, i) => texts[i] !== null);
  if (inputs.length < 2) return 0;
  const records = byTime(parseRecords(texts.filter((t): t is string => t !== null)));
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const merged = `${dir}/${stamp}-merged-${randomBytes(4).toString('hex')}.jsonl`;
  await client.create(`${merged}.tmp`, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  if (!(await client.rename(`${merged}.tmp`, merged)))
    throw new Error(`could not rename ${merged}.tmp into place`);
  let deleted = 0;
  for (const f of inputs) {
    const status = await client.status(`${dir}/${f.name}`);
    if (!status || status.length !== f.length || status.modificationTime !== f.modificationTime) continue;
    if (await client.delete(`${dir}/${f.name}`)) deleted++;
  }
  // Temporary files of merges that stopped before their rename (their records are still in their inputs).
  try {
    for (const f of await client.list(dir))
      if (f.type === 'FILE' && f.pathSuffix.endsWith('.jsonl.tmp') && now - f.modificationTime >= quiet)
        await client.delete(`${dir}/${f.pathSuffix}`);
  } catch (error) {
    if (!(error instanceof WebHdfsError && error.notFound)) throw error;
  }
  return deleted;
}

/** Checksums landed so far (any version), for idempotency. */
export function landedChecksums(records: LedgerRecord[]): Map<string, LandedRecord> {
  const map = new Map<string, LandedRecord>();
  for (const r of records) if (r.event === 'landed') map.set(r.checksum, r);
  return map;
}

/** The newest landing of a table: what `source freshness` compares with now. */
export function lastLanded(records: LedgerRecord[]): LandedRecord | null {
  let last: LandedRecord | null = null;
  for (const r of records) if (r.event === 'landed' && (!last || r.at > last.at)) last = r;
  return last;
}

/** Partitions that have landed files but were never registered (a run that stopped before registering). */
export function unregisteredPartitions(
  records: LedgerRecord[],
): Array<{ partition: PartitionValues; location: string }> {
  const registered = new Set<string>();
  for (const r of records) if (r.event === 'registered') registered.add(JSON.stringify(r.partition));
  const out = new Map<string, { partition: PartitionValues; location: string }>();
  for (const r of records) {
    if (r.event !== 'landed') continue;
    const key = JSON.stringify(r.partition);
    if (!registered.has(key) && !out.has(key))
      out.set(key, { partition: r.partition, location: r.path.slice(0, r.path.lastIndexOf('/')) });
  }
  return [...out.values()];
}

/** Where a partition lives now: its last compaction's location, if any. */
export function currentPartitionLocation(records: LedgerRecord[], partition: PartitionValues): string | null {
  const key = JSON.stringify(partition);
  let location: string | null = null;
  for (const r of records)
    if (r.event === 'compacted' && JSON.stringify(r.partition) === key) location = r.location;
  return location;
}

export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return results;
}

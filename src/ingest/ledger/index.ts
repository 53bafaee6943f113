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

/** Every record of a table's ledger, oldest first, superseded or not (what a merge keeps). */
export async function readLedgerRecords(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
): Promise<LedgerRecord[]> {
  const dir = ledgerDir(declaration);
  let files;
  try {
    files = await client.list(dir);
  } catch (error) {
    if (error instanceof WebHdfsError && error.notFound) return [];
    throw error;
  }
  const names = files
    .filter((f) => f.type === 'FILE' && f.pathSuffix.endsWith('.jsonl') && !f.pathSuffix.startsWith('.'))
    .map((f) => f.pathSuffix)
    .sort();
  const texts = await mapLimit(names, 8, (name) =>
    client.read(`${dir}/${name}`).then((b) => b.toString('utf8')),
  );
  const seen = new Set<string>();
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
  return records.sort((a, b) => a.at.localeCompare(b.at));
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
      } else await this.client.append(this.path, text);
    });
    this.queue = next.catch(() => undefined);
    return next.then(() => full);
  }
}

/**
 * Merges a ledger of more than `maxFiles` files into one (hourly runs add a file each). The merged
 * file is written first, the inputs deleted after: a crash between leaves duplicates, which readers drop.
 */
export async function compactLedger(
  client: WebHdfsClient,
  declaration: Pick<LandingDeclaration, 'lakePath'>,
  maxFiles = 200,
): Promise<number> {
  const dir = ledgerDir(declaration);
  let files;
  try {
    files = (await client.list(dir)).filter((f) => f.type === 'FILE' && f.pathSuffix.endsWith('.jsonl'));
  } catch (error) {
    if (error instanceof WebHdfsError && error.notFound) return 0;
    throw error;
  }
  if (files.length <= maxFiles) return 0;
  const records = await readLedgerRecords(client, declaration);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  // Sorts before the runs that follow it (the stamp), so record order is kept.
  const merged = `${dir}/${stamp}-merged-${randomBytes(4).toString('hex')}.jsonl`;
  await client.create(`${merged}.tmp`, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  await client.rename(`${merged}.tmp`, merged);
  for (const f of files) await client.delete(`${dir}/${f.pathSuffix}`);
  return files.length;
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

/**
 * What a batch pass does with each file, from the table's ledger and the intents left by runs that
 * stopped. Pure: records in, decisions out.
 *
 * By sha256, first match wins:
 * - bytes claimed earlier in this pass (a copy): skip;
 * - landed: skip;
 * - an intent without a `landed` record (a landing that stopped after its marker): recover, i.e. land
 *   again at the intent's ingestion time, so the file ends in the partition it went to first;
 * - quarantined: tried again when the declaration it was checked against changed (fingerprints
 *   differ) or `retryQuarantined`; kept in quarantine when it is the same, or unknown (records
 *   written before qdbt recorded fingerprints: only `retryQuarantined` retries those);
 * - otherwise: land.
 */
import type { Intent } from './intents.js';
import type { LandedRecord, LedgerRecord, QuarantinedRecord } from './index.js';

export interface StateOptions {
  /** declarationFingerprint() of the declaration the files are checked against now. */
  fingerprint: string;
  /** Retry every quarantined file, whatever its declaration. */
  retryQuarantined?: boolean;
}

export type Decision =
  | { action: 'land'; version: number }
  | { action: 'recover'; version: number; intent: Intent }
  | {
      action: 'retry';
      version: number;
      record: QuarantinedRecord;
      why: 'declaration changed' | 'forced';
    }
  | { action: 'skip'; why: 'landed' | 'this pass'; sourcePath: string; at: string }
  | { action: 'keep'; why: 'unchanged' | 'unknown'; record: QuarantinedRecord };

/** Seconds-precision UTC time of a run's name (`20240501T075930-batch-...`), as ISO; null when it has none. */
export function runStarted(run: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})-/.exec(run);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : null;
}

export class LandingState {
  /** Sizes of the files known (landed, quarantined, or with an open intent): a file of another size has other bytes. */
  readonly knownSizes = new Set<number>();
  private readonly landed = new Map<string, LandedRecord>();
  private readonly quarantined = new Map<string, QuarantinedRecord>();
  private readonly pending = new Map<string, Intent>();
  private readonly claimed = new Map<string, string>();
  /** Per file name, the checksums seen under it, first first: a checksum's version is its place. */
  private readonly versions = new Map<string, string[]>();

  constructor(
    records: LedgerRecord[],
    intents: Intent[],
    private readonly options: StateOptions,
  ) {
    for (const r of records) {
      if (r.event !== 'landed' && r.event !== 'quarantined') continue;
      if (r.event === 'landed') {
        this.landed.set(r.checksum, r);
        this.quarantined.delete(r.checksum);
      } else if (!this.landed.has(r.checksum)) this.quarantined.set(r.checksum, r);
      this.knownSizes.add(r.bytes);
      const list = this.versions.get(r.source_file) ?? [];
      if (!list.includes(r.checksum)) list.push(r.checksum);
      this.versions.set(r.source_file, list);
    }
    for (const intent of intents) {
      if (!this.isOpen(intent)) continue;
      const seen = this.pending.get(intent.checksum);
      // Every intent of one file carries the same time (a recovery reuses it); the first, to be sure.
      if (!seen || intent.ingestedAt < seen.ingestedAt) this.pending.set(intent.checksum, intent);
      this.knownSizes.add(intent.bytes);
    }
  }

  /**
   * True while an intent's file is not recorded: no `landed` record, and no `quarantined` one
   * written after the intent's run started (a recovery that found the file bad under a new declaration).
   */
  isOpen(intent: Intent): boolean {
    if (this.landed.has(intent.checksum)) return false;
    const q = this.quarantined.get(intent.checksum);
    const started = runStarted(intent.run);
    return !(q && started !== null && q.at >= started);
  }

  /** Intents still open, one per file. */
  openIntents(): Intent[] {
    return [...this.pending.values()];
  }

  /** The file's records are written (this pass): its intents are closed. */
  recorded(checksum: string, record: LandedRecord | QuarantinedRecord): void {
    this.pending.delete(checksum);
    if (record.event === 'landed') this.landed.set(checksum, record);
    else this.quarantined.set(checksum, record);
  }

  /** What to do with a file of these bytes under this name; the bytes are this pass's unless skipped or kept. */
  claim(checksum: string, name: string, sourcePath: string): Decision {
    const earlier = this.claimed.get(checksum);
    if (earlier !== undefined)
      return { action: 'skip', why: 'this pass', sourcePath: earlier, at: 'this pass' };
    const landed = this.landed.get(checksum);
    if (landed) return { action: 'skip', why: 'landed', sourcePath: landed.source_path, at: landed.at };
    const intent = this.pending.get(checksum);
    const quarantined = this.quarantined.get(checksum);
    let decision: Decision;
    if (intent) decision = { action: 'recover', version: 0, intent };
    else if (quarantined) {
      const was = quarantined.declaration_fingerprint;
      if (this.options.retryQuarantined)
        decision = { action: 'retry', version: 0, record: quarantined, why: 'forced' };
      else if (was === undefined) return { action: 'keep', why: 'unknown', record: quarantined };
      else if (was === this.options.fingerprint)
        return { action: 'keep', why: 'unchanged', record: quarantined };
      else decision = { action: 'retry', version: 0, record: quarantined, why: 'declaration changed' };
    } else decision = { action: 'land', version: 0 };
    this.claimed.set(checksum, sourcePath);
    const list = this.versions.get(name) ?? [];
    if (!list.includes(checksum)) list.push(checksum);
    this.versions.set(name, list);
    decision.version = list.indexOf(checksum) + 1;
    return decision;
  }
}

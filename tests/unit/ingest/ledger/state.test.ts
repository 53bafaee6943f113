/** Which files a batch pass skips, keeps in quarantine, retries or recovers, from recorded ledger records. */
import { describe, expect, it } from 'vitest';
import {
  currentRecords,
  type LandedRecord,
  type LedgerRecord,
  type QuarantinedRecord,
} from '../../../../src/ingest/ledger/index.js';
import { escapeName, parseMarker, unescapeName, type Intent } from '../../../../src/ingest/ledger/intents.js';
import { LandingState, runStarted } from '../../../../src/ingest/ledger/state.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const D = 'd'.repeat(64);
const FP = 'f00dfeed00000001';

let seq = 0;
function landed(checksum: string, at: string): LandedRecord {
  return {
    v: 1,
    id: `l${seq++}`,
    source: 'source.p.raw.tx',
    at,
    event: 'landed',
    source_file: 'tx_1.csv',
    source_path: 'in/tx_1.csv',
    checksum,
    version: 1,
    rows: 2,
    rows_rejected: 0,
    bytes: 100,
    landed_bytes: 100,
    partition: { dt: '2024-05-01', hr: '07' },
    path: `/lake/raw/tx/dt=2024-05-01/hr=07/tx_1.${checksum.slice(0, 8)}.csv`,
    original_path: null,
    rejects_path: null,
    normalized: false,
  };
}
function quarantined(checksum: string, at: string, fingerprint?: string, bytes = 200): QuarantinedRecord {
  return {
    v: 1,
    id: `q${seq++}`,
    source: 'source.p.raw.tx',
    at,
    event: 'quarantined',
    source_file: 'tx_2.csv',
    source_path: 'in/tx_2.csv',
    checksum,
    bytes,
    reason: 'header "id,unitz": undeclared column(s) \'unitz\'',
    path: '/lake/raw/tx/_quarantine/2024-05-01/tx_2.csv',
    ...(fingerprint ? { declaration_fingerprint: fingerprint } : {}),
  };
}
function intent(checksum: string, run: string, ingestedAt: string, bytes = 300): Intent {
  const marker = `${checksum}-${bytes}-${ingestedAt.replace(/[-:.]/g, '')}`;
  return parseMarker(run, marker)!;
}

describe('LandingState', () => {
  const records = [
    landed(A, '2024-05-01T07:10:00.000Z'),
    quarantined(B, '2024-05-01T07:11:00.000Z', FP),
    quarantined(C, '2024-05-01T07:12:00.000Z'), // an older qdbt: no fingerprint
  ];

  it('skips landed files and copies within the pass; lands new ones', () => {
    const state = new LandingState(records, [], { fingerprint: FP });
    expect(state.claim(A, 'tx_1.csv', 'x/tx_1.csv')).toMatchObject({ action: 'skip', why: 'landed' });
    expect(state.claim(D, 'tx_9.csv', 'x/tx_9.csv')).toEqual({ action: 'land', version: 1 });
    expect(state.claim(D, 'tx_9b.csv', 'y/tx_9b.csv')).toMatchObject({
      action: 'skip',
      why: 'this pass',
      sourcePath: 'x/tx_9.csv',
    });
    expect([...state.knownSizes].sort()).toEqual([100, 200]);
  });

  it('keeps a quarantined file while its declaration is unchanged or unknown; retries it when it changed', () => {
    const same = new LandingState(records, [], { fingerprint: FP });
    expect(same.claim(B, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'keep', why: 'unchanged' });
    expect(same.claim(C, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'keep', why: 'unknown' });
    // Kept, not claimed: asking again gives the same answer.
    expect(same.claim(B, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'keep' });

    const changed = new LandingState(records, [], { fingerprint: 'another' });
    expect(changed.claim(B, 'tx_2.csv', 'tx_2.csv')).toMatchObject({
      action: 'retry',
      why: 'declaration changed',
      version: 1,
    });
    expect(changed.claim(C, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'keep', why: 'unknown' });
  });

  it('retryQuarantined retries every quarantined file, fingerprint or not, and nothing landed', () => {
    const state = new LandingState(records, [], { fingerprint: FP, retryQuarantined: true });
    expect(state.claim(B, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'retry', why: 'forced' });
    expect(state.claim(C, 'tx_2.csv', 'tx_2.csv')).toMatchObject({
      action: 'retry',
      why: 'forced',
      version: 2,
    });
    expect(state.claim(A, 'tx_1.csv', 'tx_1.csv')).toMatchObject({ action: 'skip', why: 'landed' });
  });

  it('a later landed record supersedes a quarantined one; the latest quarantine is the one judged', () => {
    const state = new LandingState(
      [
        quarantined(B, '2024-05-01T07:11:00.000Z', 'old'),
        quarantined(B, '2024-05-01T08:00:00.000Z', FP),
        quarantined(C, '2024-05-01T07:12:00.000Z', 'old'),
        landed(C, '2024-05-01T08:01:00.000Z'),
      ],
      [],
      { fingerprint: FP },
    );
    expect(state.claim(B, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'keep', why: 'unchanged' });
    expect(state.claim(C, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'skip', why: 'landed' });
  });

  it('recovers a file with an open intent at the intent time; a landed record closes it', () => {
    const open = intent(D, '20240501T075900-batch-0a0b0c0d', '2024-05-01T07:59:00.000Z');
    const closed = intent(A, '20240501T070900-batch-0a0b0c0d', '2024-05-01T07:09:00.000Z');
    const state = new LandingState(records, [open, closed], { fingerprint: FP });
    expect(state.openIntents()).toEqual([open]);
    expect(state.knownSizes.has(300)).toBe(true); // so the file is checksummed before it lands
    expect(state.claim(D, 'tx_4.csv', 'tx_4.csv')).toMatchObject({
      action: 'recover',
      version: 1,
      intent: { ingestedAt: '2024-05-01T07:59:00.000Z' },
    });
    expect(state.claim(A, 'tx_1.csv', 'tx_1.csv')).toMatchObject({ action: 'skip', why: 'landed' });
    state.recorded(D, landed(D, '2024-05-01T08:05:00.000Z'));
    expect(state.isOpen(open)).toBe(false);
  });

  it('an intent wins over an earlier quarantine (a retry that stopped), not over a later one', () => {
    const retryStopped = intent(B, '20240501T080000-batch-01020304', '2024-05-01T08:00:00.000Z', 200);
    const state = new LandingState(records, [retryStopped], { fingerprint: FP });
    expect(state.claim(B, 'tx_2.csv', 'tx_2.csv')).toMatchObject({ action: 'recover' });

    const recoveryQuarantined = new LandingState(
      [quarantined(D, '2024-05-01T09:00:00.000Z', FP, 300)],
      [intent(D, '20240501T075900-batch-0a0b0c0d', '2024-05-01T07:59:00.000Z')],
      { fingerprint: FP },
    );
    expect(recoveryQuarantined.openIntents()).toEqual([]);
    expect(recoveryQuarantined.claim(D, 'tx_4.csv', 'tx_4.csv')).toMatchObject({ action: 'keep' });
  });

  it('of several intents of one file, recovers at the first time', () => {
    const state = new LandingState(
      [],
      [
        intent(D, '20240501T080500-batch-00000002', '2024-05-01T07:59:00.000Z'),
        intent(D, '20240501T075900-batch-00000001', '2024-05-01T07:59:00.000Z'),
      ],
      { fingerprint: FP },
    );
    expect(state.openIntents()).toHaveLength(1);
  });
});

describe('currentRecords (what readLedger gives freshness and the docs)', () => {
  it('drops quarantine records superseded by a landing or a later quarantine of the same file', () => {
    const q1 = quarantined(B, '2024-05-01T07:11:00.000Z');
    const q2 = quarantined(B, '2024-05-01T08:00:00.000Z', FP);
    const q3 = quarantined(C, '2024-05-01T07:12:00.000Z');
    const l3 = landed(C, '2024-05-01T09:00:00.000Z');
    const reg: LedgerRecord = {
      v: 1,
      id: 'r',
      source: 's',
      at: '2024-05-01T09:00:01.000Z',
      event: 'registered',
      partition: { dt: '2024-05-01', hr: '07' },
      location: '/lake/raw/tx/dt=2024-05-01/hr=07',
    };
    expect(currentRecords([q1, q2, q3, l3, reg])).toEqual([q2, l3, reg]);
    const plain = [landed(A, '2024-05-01T07:00:00.000Z')];
    expect(currentRecords(plain)).toBe(plain);
  });
});

describe('intent markers', () => {
  it('name the sha256, size and ingestion time; file names are escaped for HDFS', () => {
    expect(parseMarker('r', `${A}-1234-20240501T075930123Z`)).toEqual({
      run: 'r',
      checksum: A,
      bytes: 1234,
      ingestedAt: '2024-05-01T07:59:30.123Z',
      marker: `${A}-1234-20240501T075930123Z`,
    });
    expect(parseMarker('r', 'not-a-marker')).toBeNull();
    const name = 'sales 10:30 100%.csv';
    expect(escapeName(name)).toBe('sales 10%3A30 100%25.csv');
    expect(unescapeName(escapeName(name))).toBe(name);
    expect(runStarted('20240501T075930-batch-0a0b0c0d')).toBe('2024-05-01T07:59:30');
  });
});

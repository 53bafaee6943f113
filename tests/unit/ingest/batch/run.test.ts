/** One pass of qdbt ingest batch on an in-memory WebHDFS and a fake Hive: summary, ledger, registration. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryHdfs } from './memoryHdfs.js';
import { txDeclaration } from './txDeclaration.js';
import type { LandingDeclaration } from '../../../../src/ingest/landing/types.js';
import { ingestBatchOnce, type BatchEvent } from '../../../../src/ingest/batch/run.js';
import type { WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';
import {
  LedgerWriter,
  readLedger,
  readLedgerRecords,
  type LedgerHooks,
} from '../../../../src/ingest/ledger/index.js';
import type { RegisterAdapter } from '../../../../src/ingest/register/index.js';

const root = mkdtempSync(join(tmpdir(), 'qdbt-pass-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const declaration = txDeclaration;

describe('ingestBatchOnce', () => {
  it('lands every file, writes the ledger of a short pass at once, registers the partition after its files', async () => {
    const from = join(root, 'landing');
    mkdirSync(from);
    for (let f = 0; f < 6; f++)
      writeFileSync(
        join(from, `tx_${f}.csv`),
        `id,units\n${Array.from({ length: 1000 }, (_, i) => `${f}-${i},${i}`).join('\n')}\n${f === 2 ? 'x,y\n' : ''}`,
      );
    writeFileSync(join(from, 'tx_9.csv'), Buffer.from([0xff, 0x0a]));
    writeFileSync(join(from, 'other.csv'), 'a\n');
    const hdfs = new MemoryHdfs();
    const ddl: string[] = [];
    const adapter = {
      capabilities: { supportsSkipHeaderLine: true, supportsHiveJsonSerde: true },
      execute: async (sql: string) => {
        ddl.push(sql);
        return { rows: [] };
      },
      createSchemaIfMissing: async () => undefined,
    } as unknown as RegisterAdapter;
    const events: BatchEvent[] = [];
    const client = hdfs as unknown as WebHdfsClient;
    const now = () => new Date('2024-05-01T07:30:00Z');
    const pass = () =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter,
        declarations: [declaration],
        from,
        settleMs: 0,
        now,
        emit: (e) => events.push(e),
      });
    const summary = await pass();
    expect(summary).toMatchObject({
      landed: 6,
      quarantined: 1,
      failed: 0,
      unmatched: 1,
      rowsIn: 6001,
      rowsLanded: 6000,
      rowsRejected: 1,
      partitionsRegistered: 1,
    });
    expect(hdfs.ledgerWrites).toBe(1);
    const ledger = await readLedger(client, declaration);
    expect(ledger.map((r) => r.event).sort()).toEqual(
      [...Array(6).fill('landed'), 'quarantined', 'registered'].sort(),
    );
    expect(ddl.filter((s) => /ADD IF NOT EXISTS PARTITION/i.test(s))).toHaveLength(1);
    expect(events.filter((e) => e.name === 'file_landed')).toHaveLength(6);
    expect(events.filter((e) => e.name === 'partition_registered')).toHaveLength(1);

    // Idempotent: the same files again are skipped, nothing written.
    const again = await pass();
    expect(again).toMatchObject({ landed: 0, skipped: 7, quarantined: 0 });
    expect(hdfs.ledgerWrites).toBe(1);
  });

  it('checksums CSV files while landing them: copies in one pass land once, a changed file is a new version', async () => {
    const from = join(root, 'copies');
    mkdirSync(from);
    const body = `id,units\n${Array.from({ length: 50_000 }, (_, i) => `r-${i},${i}`).join('\n')}\n`;
    for (const f of [1, 2, 3]) writeFileSync(join(from, `tx_${f}.csv`), body); // same bytes thrice
    writeFileSync(join(from, 'tx_4.csv'), `${body}r-x,1\n`);
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const adapter = {
      capabilities: { supportsSkipHeaderLine: true, supportsHiveJsonSerde: true },
      execute: async () => ({ rows: [] }),
      createSchemaIfMissing: async () => undefined,
    } as unknown as RegisterAdapter;
    const pass = () =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter,
        declarations: [declaration],
        from,
        settleMs: 0,
        now: () => new Date('2024-05-01T07:30:00Z'),
      });
    expect(await pass()).toMatchObject({ landed: 2, skipped: 2, failed: 0, rowsLanded: 100_001 });
    const landed = () => [...hdfs.files.keys()].filter((p) => p.includes('/dt=')).sort();
    expect(landed()).toHaveLength(2); // no temporary left behind by the skipped copies
    expect(landed().every((p) => !p.includes('/.'))).toBe(true);

    // Same name, other bytes: version 2, beside version 1.
    writeFileSync(join(from, 'tx_4.csv'), `${body}r-y,2\n`);
    expect(await pass()).toMatchObject({ landed: 1, skipped: 3 });
    const ledger = await readLedger(client, declaration);
    const tx4 = ledger.filter((r) => r.event === 'landed' && r.source_file === 'tx_4.csv');
    expect(tx4.map((r) => (r as { version: number }).version).sort()).toEqual([1, 2]);
    expect(landed()).toHaveLength(3);
  });
});

describe('ingestBatchOnce: quarantined files and interrupted landings', () => {
  const adapter = (ddl: string[] = []) =>
    ({
      capabilities: { supportsSkipHeaderLine: true, supportsHiveJsonSerde: true },
      execute: async (sql: string) => {
        ddl.push(sql);
        return { rows: [] };
      },
      createSchemaIfMissing: async () => undefined,
    }) as unknown as RegisterAdapter;
  const withAlias = (alias: string): LandingDeclaration => ({
    ...declaration,
    columns: [declaration.columns[0]!, { ...declaration.columns[1]!, aliases: [alias] }],
  });

  it('retries a quarantined file once its declaration changes, and only then; the ledger then shows it landed', async () => {
    const from = join(root, 'quarantine');
    mkdirSync(from);
    writeFileSync(join(from, 'tx_1.csv'), 'id,unitz\na,1\nb,2\n');
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const pass = (d: LandingDeclaration, events: BatchEvent[] = [], retryQuarantined = false) =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter(),
        declarations: [d],
        from,
        settleMs: 0,
        now: () => new Date('2024-05-01T07:30:00Z'),
        emit: (e) => events.push(e),
        retryQuarantined,
      });
    expect(await pass(declaration)).toMatchObject({ quarantined: 1, landed: 0 });

    // Same declaration: kept, said once at info level with the way out.
    const events: BatchEvent[] = [];
    expect(await pass(declaration, events)).toMatchObject({ skipped: 1, keptInQuarantine: 1, landed: 0 });
    const kept = events.filter((e) => e.name === 'quarantine_kept');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ level: 'info' });
    expect(kept[0]!.message).toMatch(
      /1 file stays in quarantine \(unchanged declaration\); fix the file or the declaration, or pass --retry-quarantined/,
    );

    // An alias that has nothing to do with it still changes the declaration: retried, quarantined again.
    expect(await pass(withAlias('other'))).toMatchObject({ retried: 1, quarantined: 1 });
    expect(await pass(withAlias('other'))).toMatchObject({ keptInQuarantine: 1, quarantined: 0 });

    // The fix: lands, and the ledger as read says landed (the quarantine records are superseded).
    const landedEvents: BatchEvent[] = [];
    expect(await pass(withAlias('unitz'), landedEvents)).toMatchObject({
      retried: 1,
      landed: 1,
      rowsLanded: 2,
    });
    expect(landedEvents.find((e) => e.name === 'file_landed')?.message).toMatch(/its declaration changed/);
    const ledger = await readLedger(client, declaration);
    expect(ledger.filter((r) => r.event === 'quarantined')).toHaveLength(0);
    expect(ledger.filter((r) => r.event === 'landed')).toHaveLength(1);
    expect(
      (await readLedgerRecords(client, declaration)).filter((r) => r.event === 'quarantined'),
    ).toHaveLength(2);
    expect(await pass(withAlias('unitz'))).toMatchObject({ skipped: 1, landed: 0, retried: 0 });
  });

  it('--retry-quarantined retries records without a fingerprint (written by an older qdbt), which are kept otherwise', async () => {
    const from = join(root, 'legacy');
    mkdirSync(from);
    const body = 'id,units\na,1\n';
    writeFileSync(join(from, 'tx_1.csv'), body);
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    await new LedgerWriter(client, declaration).append({
      event: 'quarantined',
      source_file: 'tx_1.csv',
      source_path: 'tx_1.csv',
      checksum: createHash('sha256').update(body).digest('hex'),
      bytes: body.length,
      reason: 'header: something an older check disliked',
      path: '/lake/raw/tx/_quarantine/2024-04-30/tx_1.csv',
    });
    const events: BatchEvent[] = [];
    const pass = (retryQuarantined: boolean) =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter(),
        declarations: [declaration],
        from,
        settleMs: 0,
        emit: (e) => events.push(e),
        retryQuarantined,
      });
    expect(await pass(false)).toMatchObject({ keptInQuarantine: 1, landed: 0 });
    expect(events.find((e) => e.name === 'quarantine_kept')?.message).toMatch(
      /checked before qdbt recorded declarations/,
    );
    expect(await pass(true)).toMatchObject({ retried: 1, landed: 1 });
  });

  it('finishes a landing whose ledger write failed where it began, not again in the hour of the next pass', async () => {
    const from = join(root, 'crash');
    mkdirSync(from);
    writeFileSync(join(from, 'tx_1.csv'), 'id,units\na,1\nb,2\nc,3\n');
    writeFileSync(join(from, 'tx_2.csv'), 'units,id\n1,x\n'); // normalized: other order
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const ddl: string[] = [];
    const pass = (at: string, ledgerHooks?: LedgerHooks) =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter(ddl),
        declarations: [declaration],
        from,
        settleMs: 0,
        now: () => new Date(at),
        ledgerHooks,
      });
    const failLanded: LedgerHooks = {
      beforeAppend: (records) => {
        if (records.some((r) => r.event === 'landed')) throw new Error('injected: ledger write failed');
      },
    };
    const first = await pass('2024-05-01T07:59:00Z', failLanded).catch((error: unknown) => error);
    if (!(first instanceof Error)) expect(first).toMatchObject({ failed: 2, landed: 0 });
    const data = () => hdfs.paths().filter((p) => p.includes('/dt=') && !p.includes('/_'));
    expect(data().every((p) => p.includes('/hr=07/'))).toBe(true);
    expect(data()).toHaveLength(2);
    // One marker per file, kept since its records were not written.
    const markers = [...hdfs.dirs.keys()].filter((d) => /\/_intents\/[^/]+\/[^/]+$/.test(d));
    expect(markers).toHaveLength(2);
    expect(markers.every((m) => m.includes('-20240501T075900000Z'))).toBe(true);

    // Renamed meanwhile: still lands under the name it began with (else a second copy beside the first).
    renameSync(join(from, 'tx_1.csv'), join(from, 'tx_1_renamed.csv'));
    const second = await pass('2024-05-01T08:05:00Z');
    expect(second).toMatchObject({ landed: 2, recovered: 2, failed: 0, rowsLanded: 4 });
    expect(data()).toHaveLength(2);
    expect(data().every((p) => p.includes('/hr=07/'))).toBe(true);
    expect(data().some((p) => p.includes('/hr=08/'))).toBe(false);
    expect(hdfs.paths().filter((p) => p.includes('/.'))).toEqual([]); // no temporary left
    const landed = (await readLedger(client, declaration)).filter((r) => r.event === 'landed');
    expect(landed.map((r) => (r.event === 'landed' ? r.path : '')).sort()).toEqual(data());
    expect(ddl.filter((s) => /ADD IF NOT EXISTS PARTITION/i.test(s) && /hr='08'/.test(s))).toEqual([]);

    // Recorded now: a third pass skips both.
    expect(await pass('2024-05-01T09:00:00Z')).toMatchObject({ landed: 0, skipped: 2, recovered: 0 });
  });

  it('costs one MKDIRS per landed file, one LISTSTATUS and one DELETE per pass, and leaves no marker', async () => {
    const from = join(root, 'cost');
    mkdirSync(from);
    for (let f = 0; f < 5; f++) writeFileSync(join(from, `tx_${f}.csv`), `id,units\n${f},1\n`);
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const summary = await ingestBatchOnce({
      client,
      adapter: async () => adapter(),
      declarations: [declaration],
      from,
      settleMs: 0,
    });
    expect(summary).toMatchObject({ landed: 5 });
    expect(hdfs.calls.get('mkdirs')).toBe(5);
    expect(hdfs.ledgerWrites).toBe(1);
    expect([...hdfs.dirs.keys()].filter((d) => d.includes('/_intents/'))).toEqual([]);
    expect(hdfs.calls.get('delete')).toBe(1);
  });

  it('deletes the markers of a stopped run once its files are recorded and it has been idle a while', async () => {
    const from = join(root, 'stale');
    mkdirSync(from);
    writeFileSync(join(from, 'tx_1.csv'), 'id,units\na,1\n');
    const hdfs = new MemoryHdfs();
    const client = hdfs as unknown as WebHdfsClient;
    const pass = (ledgerHooks?: LedgerHooks) =>
      ingestBatchOnce({
        client,
        adapter: async () => adapter(),
        declarations: [declaration],
        from,
        settleMs: 0,
        ledgerHooks,
      }).catch(() => undefined);
    await pass({
      beforeAppend: (records) => {
        if (records.some((r) => r.event === 'landed')) throw new Error('injected');
      },
    });
    const runs = () => [...hdfs.dirs.keys()].filter((d) => /\/_intents\/[^/]+$/.test(d));
    expect(runs()).toHaveLength(1);
    await pass(); // recovers; the stopped run's folder is recent: kept
    expect(runs()).toHaveLength(1);
    hdfs.dirs.set(runs()[0]!, Date.now() - 11 * 60_000);
    await pass();
    expect(runs()).toEqual([]);
  });
});

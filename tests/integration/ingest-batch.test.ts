/**
 * Batch ingestion against the running stack: Q Company's sample files landed in HDFS under
 * /qdbt-it/batch-<pid>, registered on staging tables in qdbt_it_batch_<pid> on HiveServer2.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { target } from '../helpers/engines.js';
import { HiveAdapter } from '../../src/adapters/hive/adapter.js';
import type { HiveTarget } from '../../src/config/types.js';
import {
  BatchMemory,
  ingestBatchOnce,
  type BatchEvent,
  type BatchOptions,
} from '../../src/ingest/batch/run.js';
import { sha256File } from '../../src/ingest/batch/io.js';
import { WebHdfsClient } from '../../src/ingest/hdfs/webhdfs.js';
import { findDeclaration, landingDeclarations } from '../../src/ingest/landing/declarations.js';
import type { LandingDeclaration } from '../../src/ingest/landing/types.js';
import {
  compactLedger,
  LedgerWriter,
  listLedgerFiles,
  mapLimit,
  readLedger,
  readLedgerRecords,
  type LedgerHooks,
} from '../../src/ingest/ledger/index.js';
import { loadProject } from '../../src/project/loadProject.js';
import type { Reporter } from '../../src/reporters/reporter.js';
import { sourceFreshness } from '../../src/runner/freshness.js';

const stack = inject('stack');
const lakeRoot = `/qdbt-it/batch-${process.pid}`;
const db = `qdbt_it_batch_${process.pid}`;
const client = new WebHdfsClient({ url: stack.webhdfsUrl });
let adapter: HiveAdapter;
let declarations: LandingDeclaration[];
let landing: string;

function hiveTarget(schema: string): HiveTarget {
  return target({ port: stack.hiveUrl.port }, schema, { retries: 2 });
}

async function pass(events: BatchEvent[] = [], options: Partial<BatchOptions> = {}) {
  return ingestBatchOnce({
    client,
    adapter: async () => adapter,
    declarations,
    from: landing,
    settleMs: 0,
    emit: (e) => events.push(e),
    ...options,
  });
}

/** A declaration changed in place (as after editing its YAML): `name` gets another alias. */
function addAlias(source: string, column: string, alias: string): void {
  declarations = declarations.map((d) =>
    `${d.sourceName}.${d.tableName}` === source
      ? {
          ...d,
          columns: d.columns.map((c) => (c.name === column ? { ...c, aliases: [...c.aliases, alias] } : c)),
        }
      : d,
  );
}

function write(relPath: string, text: string): string {
  const path = join(landing, relPath);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return createHash('sha256').update(text).digest('hex');
}

/** Files under an HDFS folder, recursively (paths), `_` and `.` folders left out as Hive does. */
async function lakeFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await client.list(dir).catch(() => [])) {
    if (entry.pathSuffix.startsWith('_') || entry.pathSuffix.startsWith('.')) continue;
    const path = `${dir}/${entry.pathSuffix}`;
    if (entry.type === 'DIRECTORY') out.push(...(await lakeFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await adapter.execute(sql)).rows;
}

async function count(table: string): Promise<number> {
  return Number((await rows(`SELECT count(*) FROM ${db}.${table}`))[0]![0]);
}

beforeAll(async () => {
  const project = loadProject({ projectDir: process.cwd() });
  declarations = landingDeclarations(project.parsed.manifest, { lakeRoot }).map((d) => ({
    ...d,
    stagingTable: { schema: db, name: d.tableName },
  }));
  adapter = await HiveAdapter.connect(hiveTarget(db));
  await adapter.execute(`DROP DATABASE IF EXISTS ${db} CASCADE`);
  await client.delete(lakeRoot, { recursive: true });
  landing = mkdtempSync(join(tmpdir(), 'qdbt-landing-'));
  cpSync(join(process.cwd(), 'landing/samples/hour_07'), join(landing, 'hour_07'), { recursive: true });
});

afterAll(async () => {
  await adapter?.execute(`DROP DATABASE IF EXISTS ${db} CASCADE`).catch(() => undefined);
  await adapter?.close();
  await client.delete(lakeRoot, { recursive: true }).catch(() => undefined);
  client.close();
  rmSync(landing, { recursive: true, force: true });
});

describe('qdbt ingest batch', () => {
  it('lands the samples, maps the drifted header, rejects the bad row, registers partitions', async () => {
    const events: BatchEvent[] = [];
    const summary = await pass(events);
    expect(summary).toMatchObject({
      landed: 3,
      skipped: 0,
      quarantined: 0,
      failed: 0,
      rowsIn: 16,
      rowsLanded: 15,
      rowsRejected: 1,
    });
    const tx = findDeclaration(declarations, 'raw.sales_transactions');
    const ledger = await readLedger(client, tx);
    const landed = ledger.find((r) => r.event === 'landed');
    expect(landed).toMatchObject({
      source_file: 'sales_transactions_SS_raw_1.csv',
      rows: 5,
      rows_rejected: 1,
      normalized: true,
    });
    if (landed?.event !== 'landed') throw new Error('no landed record');
    // The original bytes are kept for audit; the rejects file says which line and why.
    const original = await client.read(landed.original_path!);
    expect(original.toString()).toContain('cusomter_lname');
    const rejects = (await client.read(landed.rejects_path!))
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      expect.objectContaining({ line: 6, reason: "unit_price 'abc' is not a decimal(12,2)" }),
    ]);
    // The landed file has the declared order and names.
    const text = (await client.read(landed.path)).toString();
    expect(text.split('\n')[0]).toBe(tx.columns.map((c) => c.name).join(','));
    expect(ledger.some((r) => r.event === 'registered')).toBe(true);

    // Branches were in declared order: landed byte for byte.
    const branches = (await readLedger(client, findDeclaration(declarations, 'raw.branches'))).find(
      (r) => r.event === 'landed',
    );
    expect(branches).toMatchObject({ normalized: false, original_path: null, rows: 5 });

    // HiveServer2 returns exactly the landed rows, columns mapped by name.
    const result = await rows(
      `SELECT transaction_id, transaction_date, customer_lname, customer_email, shipping_address FROM ${db}.sales_transactions ORDER BY transaction_id`,
    );
    expect(result).toHaveLength(5);
    expect(result).toContainEqual([
      'trx-472889310922',
      '2024-1-5',
      "O'Connor".replace("'", '"'),
      'liam.oconnor@outlook.com',
      '',
    ]);
    expect(result).toContainEqual([
      'trx-115485351784',
      '2024-01-05',
      'Davis',
      'olivia.davis@hotmail.comxx',
      '123 Main St, Springfield, IL 62704',
    ]);
    expect(await count('branches')).toBe(5);
  });

  it('feeds qdbt source freshness from the ledger: the last landed file dates each source', async () => {
    const project = loadProject({ projectDir: process.cwd() });
    project.target.extra = { ...project.target.extra, hdfs_url: stack.webhdfsUrl, lake_root: lakeRoot };
    const lines: string[] = [];
    const reporter = {
      emit: (e: { message: string }) => void lines.push(e.message),
      result: () => undefined,
    };
    const output = join(landing, 'sources.json');
    const { exitCode, results } = await sourceFreshness(
      {
        global: {
          projectDir: process.cwd(),
          select: ['source:raw'],
          logFormat: 'text',
          color: false,
          quiet: true,
          debug: false,
        },
        output,
      },
      { reporter: reporter as unknown as Reporter, project },
    );
    expect(exitCode).toBe(0);
    expect(Object.fromEntries(results.map((r) => [r.uniqueId, r.status]))).toEqual({
      'source.qcompany.raw.branches': 'pass',
      'source.qcompany.raw.sales_agents': 'pass',
      'source.qcompany.raw.sales_transactions': 'pass',
    });
    const artifact = JSON.parse(readFileSync(output, 'utf8')) as {
      results: Array<{ unique_id: string; max_loaded_at: string; max_loaded_at_time_ago_in_s: number }>;
    };
    for (const r of artifact.results) {
      expect(Date.now() - Date.parse(r.max_loaded_at)).toBeLessThan(10 * 60_000);
      expect(r.max_loaded_at_time_ago_in_s).toBeGreaterThanOrEqual(0);
    }
    expect(lines.filter((l) => /PASS freshness of raw\./.test(l))).toHaveLength(3);
  });

  it('skips a file already landed; lands a changed file with the same name as a new version', async () => {
    const again = await pass();
    expect(again).toMatchObject({ landed: 0, skipped: 3 });
    const path = join(landing, 'hour_07/sales_agents_SS_raw_1.csv');
    writeFileSync(path, 'sales_person_id,name,hire_date\n6,Olivia Garcia,2023-2-1\n');
    const events: BatchEvent[] = [];
    const changed = await pass(events);
    expect(changed).toMatchObject({ landed: 1, skipped: 2 });
    const agents = findDeclaration(declarations, 'raw.sales_agents');
    const landed = (await readLedger(client, agents)).filter((r) => r.event === 'landed');
    expect(landed.map((r) => (r.event === 'landed' ? r.version : 0))).toEqual([1, 2]);
    expect(new Set(landed.map((r) => (r.event === 'landed' ? r.path : ''))).size).toBe(2);
    expect(await count('sales_agents')).toBe(6);
  });

  it('quarantines a corrupt file with its reason', async () => {
    cpSync(join(process.cwd(), 'landing/samples/broken'), join(landing, 'broken'), { recursive: true });
    writeFileSync(join(landing, 'broken/branches_SS_raw_9.csv'), Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]));
    const events: BatchEvent[] = [];
    const summary = await pass(events);
    expect(summary).toMatchObject({ landed: 0, quarantined: 2 });
    const tx = findDeclaration(declarations, 'raw.sales_transactions');
    const q = (await readLedger(client, tx)).find((r) => r.event === 'quarantined');
    if (q?.event !== 'quarantined') throw new Error('no quarantine record');
    expect(q.reason).toMatch(/missing required column\(s\) transaction_id, transaction_date/);
    const reason = (await client.read(`${q.path}.reason.txt`)).toString();
    expect(reason).toContain('reason: header');
    expect(
      events
        .filter((e) => e.name === 'file_quarantined')
        .map((e) => e.message)
        .join('\n'),
    ).toMatch(/not UTF-8/);
    // Quarantined files are not retried on every pass.
    expect(await pass()).toMatchObject({ quarantined: 0, landed: 0 });
  });

  it('tries a quarantined file again once its declaration is fixed (an alias), and lands it', async () => {
    const checksum = write(
      'fix/sales_agents_SS_raw_7.csv',
      'sales_person_id,agent_fullname,hire_date\n7,Noah Smith,2023-5-1\n8,Ava Jones,2023-6-1\n',
    );
    expect(await pass()).toMatchObject({ quarantined: 1, landed: 0 });
    const events: BatchEvent[] = [];
    expect(await pass(events)).toMatchObject({ quarantined: 0, landed: 0, keptInQuarantine: 3 });
    expect(events.filter((e) => e.name === 'quarantine_kept').map((e) => e.level)).toEqual(
      expect.arrayContaining(['info']),
    );
    expect(events.find((e) => e.name === 'quarantine_kept')?.message).toMatch(
      /stays? in quarantine \(unchanged declaration\); fix the file or the declaration, or pass --retry-quarantined/,
    );

    addAlias('raw.sales_agents', 'name', 'agent_fullname');
    expect(await pass()).toMatchObject({ landed: 1, retried: 1, quarantined: 0, keptInQuarantine: 2 });
    const agents = findDeclaration(declarations, 'raw.sales_agents');
    const mine = (await readLedger(client, agents)).filter((r) => 'checksum' in r && r.checksum === checksum);
    expect(mine.map((r) => r.event)).toEqual(['landed']);
    expect(await count('sales_agents')).toBe(8);
    expect(await rows(`SELECT name FROM ${db}.sales_agents WHERE sales_person_id = 8`)).toEqual([
      ['Ava Jones'],
    ]);
  });

  it('--retry-quarantined tries every quarantined file again, once', async () => {
    // Quarantined by an older qdbt (no declaration fingerprint): kept, unless asked.
    const text = 'branch_id,location,establish_date,class\n6,Austin,2020-1-1,A\n7,Boston,2021-2-2,B\n';
    const checksum = write('legacy/branches_SS_raw_5.csv', text);
    const branches = findDeclaration(declarations, 'raw.branches');
    await new LedgerWriter(client, branches).append({
      event: 'quarantined',
      source_file: 'branches_SS_raw_5.csv',
      source_path: 'legacy/branches_SS_raw_5.csv',
      checksum,
      bytes: Buffer.byteLength(text),
      reason: 'an older qdbt disliked it',
      path: `${branches.lakePath}/_quarantine/2024-01-01/branches_SS_raw_5.csv`,
    });
    expect(await pass()).toMatchObject({ landed: 0, keptInQuarantine: 3 });

    const retried = await pass([], { retryQuarantined: true });
    // The fixed file lands; the two broken samples are checked again and stay in quarantine.
    expect(retried).toMatchObject({ retried: 3, landed: 1, quarantined: 2, failed: 0 });
    expect(await count('branches')).toBe(7);
    expect(await pass()).toMatchObject({ landed: 0, quarantined: 0, retried: 0, keptInQuarantine: 2 });
  });

  it('a landing whose ledger write failed is finished where it began by the next pass, not landed again', async () => {
    const agents = findDeclaration(declarations, 'raw.sales_agents');
    const checksum = write(
      'crash/sales_agents_SS_raw_8.csv',
      'sales_person_id,name,hire_date\n9,Mia Wong,2023-7-1\n10,Leo Park,2023-8-1\n11,Zoe Hall,2023-9-1\n',
    );
    const failLanded: LedgerHooks = {
      beforeAppend: (records) => {
        if (records.some((r) => r.event === 'landed')) throw new Error('injected: the ledger write failed');
      },
    };
    // 07:59: renamed into hr=07 and registered, then the ledger write fails (the pass may also
    // end on the failed `registered` record when it went out in the same append).
    const first = await pass([], {
      now: () => new Date('2024-05-01T07:59:00Z'),
      ledgerHooks: failLanded,
    }).catch((error: unknown) => error);
    if (!(first instanceof Error)) expect(first).toMatchObject({ landed: 0, failed: 1 });
    expect(await lakeFiles(`${agents.lakePath}/dt=2024-05-01`)).toHaveLength(1);

    // 08:05: finished in hr=07, not landed again in hr=08.
    const second = await pass([], { now: () => new Date('2024-05-01T08:05:00Z') });
    expect(second).toMatchObject({ landed: 1, recovered: 1, failed: 0 });
    const files = await lakeFiles(`${agents.lakePath}/dt=2024-05-01`);
    expect(files).toEqual([
      `${agents.lakePath}/dt=2024-05-01/hr=07/sales_agents_SS_raw_8.${checksum.slice(0, 8)}.csv`,
    ]);
    const landed = (await readLedger(client, agents)).filter(
      (r) => r.event === 'landed' && r.checksum === checksum,
    );
    expect(landed).toHaveLength(1);
    expect(
      Number((await rows(`SELECT count(*) FROM ${db}.sales_agents WHERE dt = '2024-05-01'`))[0]![0]),
    ).toBe(3);
    expect(await count('sales_agents')).toBe(11);
    expect(await pass()).toMatchObject({ landed: 0, recovered: 0 });
  });

  it('a watch process does not read unchanged files or the ledger again; it merges its own ledger files', async () => {
    const memory = new BatchMemory();
    const hashed: string[] = [];
    const hashFile = (path: string) => {
      hashed.push(path);
      return sha256File(path);
    };
    const read = vi.spyOn(client, 'read');
    const ledgerReads = () => read.mock.calls.filter(([path]) => path.includes('/_qdbt_ledger/')).length;
    try {
      // First pass of the process: every file of a known size is hashed, the ledgers read.
      expect(await pass([], { memory, hashFile })).toMatchObject({ landed: 0, failed: 0 });
      expect(hashed.length).toBeGreaterThan(5);
      expect(ledgerReads()).toBeGreaterThan(0);
      // Second: nothing read again.
      hashed.length = 0;
      read.mockClear();
      expect(await pass([], { memory, hashFile })).toMatchObject({ landed: 0, failed: 0 });
      expect(hashed).toEqual([]);
      expect(ledgerReads()).toBe(0);

      // Two passes that land a file each: two ledger files of this process, merged by the third.
      const agents = findDeclaration(declarations, 'raw.sales_agents');
      const before = await listLedgerFiles(client, agents);
      for (const [n, id] of [
        [9, 12],
        [10, 13],
      ] as const) {
        write(
          `watch/sales_agents_SS_raw_${n}.csv`,
          `sales_person_id,name,hire_date\n${id},Agent ${id},2023-10-1\n`,
        );
        expect(await pass([], { memory, hashFile })).toMatchObject({ landed: 1, failed: 0 });
      }
      const records = await readLedgerRecords(client, agents);
      expect(await listLedgerFiles(client, agents)).toHaveLength(before.length + 2);
      const events: BatchEvent[] = [];
      expect(await pass(events, { memory, hashFile, maxLedgerFiles: 1 })).toMatchObject({
        landed: 0,
        failed: 0,
      });
      expect(events.some((e) => e.name === 'ledger_compacted' && e.level === 'debug')).toBe(true);
      expect(await listLedgerFiles(client, agents)).toHaveLength(before.length + 1);
      expect(await readLedgerRecords(client, agents)).toEqual(records);
      expect(await pass([], { memory, hashFile })).toMatchObject({ landed: 0, skipped: expect.any(Number) });
    } finally {
      read.mockRestore();
    }
  });

  it('compacts a ledger of 70 run files into one; readers get the same records before and after', async () => {
    const table = { lakePath: `${lakeRoot}/ledger-compaction`, uniqueId: 'source.it.ledger.compaction' };
    await mapLimit(
      Array.from({ length: 70 }, (_, i) => i),
      10,
      async (i) => {
        const writer = new LedgerWriter(client, table);
        await writer.append({ event: 'registered', partition: { dt: `run-${i}` }, location: `/x/${i}` });
        await writer.append({ event: 'registered', partition: { dt: `run-${i}-b` }, location: `/y/${i}` });
      },
    );
    expect(await listLedgerFiles(client, table)).toHaveLength(70);
    const records = await readLedgerRecords(client, table);
    const current = await readLedger(client, table);
    expect(records).toHaveLength(140);
    // Nothing merged while the files are fresh (their runs may still be appending).
    expect(await compactLedger(client, table)).toBe(0);
    // As if 10 minutes later (the NameNode's clock is the one that dated the files).
    expect(await compactLedger(client, table, { now: Date.now() + 11 * 60_000 })).toBe(70);
    const files = await listLedgerFiles(client, table);
    expect(files).toHaveLength(1);
    expect(files[0]!.name).toMatch(/-merged-/);
    expect((await client.list(`${table.lakePath}/_qdbt_ledger`)).map((f) => f.pathSuffix)).toEqual([
      files[0]!.name,
    ]);
    expect(await readLedgerRecords(client, table)).toEqual(records);
    expect(await readLedger(client, table)).toEqual(current);
  });
});

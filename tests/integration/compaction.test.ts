/** Compaction against the running stack: small landed files merged, rows kept, swap by SET LOCATION. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HiveAdapter } from '../../src/adapters/hive/adapter.js';
import { ingestBatchOnce } from '../../src/ingest/batch/run.js';
import { compact } from '../../src/ingest/compaction/index.js';
import { WebHdfsClient } from '../../src/ingest/hdfs/webhdfs.js';
import { findDeclaration, landingDeclarations } from '../../src/ingest/landing/declarations.js';
import type { LandingDeclaration } from '../../src/ingest/landing/types.js';
import { loadProject } from '../../src/project/loadProject.js';
import type { HiveTarget } from '../../src/config/types.js';

const stack = inject('stack');
const lakeRoot = `/qdbt-it/batch-compact-${process.pid}`;
const db = `qdbt_it_batch_compact_${process.pid}`;
const client = new WebHdfsClient({ url: stack.webhdfsUrl });
let adapter: HiveAdapter;
let declaration: LandingDeclaration;
let landing: string;
const hour = new Date('2024-01-05T07:30:00Z');

function hiveTarget(schema: string): HiveTarget {
  return {
    name: 'it',
    profileName: 'qdbt_it',
    type: 'hive',
    host: '127.0.0.1',
    port: stack.hiveUrl.port,
    auth: 'NONE',
    transport: 'binary',
    schema,
    threads: 1,
    session: {},
    connectTimeoutSeconds: 30,
    retries: 2,
    extra: {},
    file: 'profiles.yml',
  };
}

async function count(): Promise<number> {
  return Number((await adapter.execute(`SELECT count(*) FROM ${db}.sales_agents`)).rows[0]![0]);
}

beforeAll(async () => {
  const project = loadProject({ projectDir: process.cwd() });
  const all = landingDeclarations(project.parsed.manifest, { lakeRoot });
  declaration = {
    ...findDeclaration(all, 'raw.sales_agents'),
    stagingTable: { schema: db, name: 'sales_agents' },
  };
  adapter = await HiveAdapter.connect(hiveTarget(db));
  await adapter.execute(`DROP DATABASE IF EXISTS ${db} CASCADE`);
  await client.delete(lakeRoot, { recursive: true });
  landing = mkdtempSync(join(tmpdir(), 'qdbt-compact-'));
  mkdirSync(join(landing, 'in'));
  for (let f = 0; f < 12; f++) {
    const rows = Array.from(
      { length: 20 },
      (_, i) => `${f * 100 + i},Agent ${f}-${i},2020-1-${(i % 28) + 1}`,
    );
    writeFileSync(
      join(landing, 'in', `sales_agents_SS_raw_${f}.csv`),
      `sales_person_id,name,hire_date\n${rows.join('\n')}\n`,
    );
  }
  const summary = await ingestBatchOnce({
    client,
    adapter: async () => adapter,
    declarations: [declaration],
    from: landing,
    settleMs: 0,
    now: () => hour,
  });
  expect(summary.landed).toBe(12);
});

afterAll(async () => {
  await adapter?.execute(`DROP DATABASE IF EXISTS ${db} CASCADE`).catch(() => undefined);
  await adapter?.close();
  await client.delete(lakeRoot, { recursive: true }).catch(() => undefined);
  client.close();
  rmSync(landing, { recursive: true, force: true });
});

describe('qdbt compact', () => {
  it('leaves the open partition alone', async () => {
    const results = await compact({ client, adapter, declaration, now: () => hour });
    expect(results.map((r) => r.status)).toEqual(['open']);
  });

  it('merges small files, keeps the rows, finishes what a crash left', async () => {
    expect(await count()).toBe(240);
    // A generation written by a run that crashed before its swap: removed and redone.
    const stale = `${declaration.lakePath}/_compacted/dt=2024-01-05/hr=07/g20240101000000`;
    await client.create(`${stale}/part-00000.csv`, 'sales_person_id,name,hire_date\n1,x,y\n');
    const results = await compact({ client, adapter, declaration, targetBytes: 2048 });
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(r).toMatchObject({ status: 'compacted', filesBefore: 12, rows: 240 });
    expect(r!.filesAfter).toBeGreaterThan(1);
    expect(r!.filesAfter).toBeLessThan(12);
    expect(await client.exists(stale)).toBe(false);
    // The old folder keeps only the marker naming the new one (for writers that still hold it).
    const old = await client.list(`${declaration.lakePath}/dt=2024-01-05/hr=07`);
    expect(old.map((f) => f.pathSuffix)).toEqual(['_qdbt_moved']);
    expect(await count()).toBe(240);
    // Nothing left to do on a second run.
    const again = await compact({ client, adapter, declaration, targetBytes: 2048 });
    expect(again[0]).toMatchObject({ status: 'skipped', reason: 'already compact' });
    // Everything into one file.
    const one = await compact({ client, adapter, declaration, targetBytes: 1 << 20 });
    expect(one[0]).toMatchObject({ status: 'compacted', filesAfter: 1, rows: 240 });
    expect(await count()).toBe(240);
  });
});

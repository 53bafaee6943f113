/**
 * Compaction against the running stack: small landed files merged, rows kept, swap by SET LOCATION;
 * batch CSV files, the gzip JSON lines `qdbt ingest stream` lands (then late events for a
 * compacted hour, which must show up once), and the Parquet files of a `file_format: parquet` stream.
 * The files a swap replaced stay where they were (for queries that started before it) until a later
 * run past `--retain-superseded`. A row-count mismatch (a merged file given one more row on HDFS
 * after it is written, by a preloaded hook on WebHdfsClient.rename) fails that partition only.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { target } from '../helpers/engines.js';
import { HiveAdapter } from '../../src/adapters/hive/adapter.js';
import { ingestBatchOnce } from '../../src/ingest/batch/run.js';
import { compact } from '../../src/ingest/compaction/index.js';
import { WebHdfsClient } from '../../src/ingest/hdfs/webhdfs.js';
import { findDeclaration, landingDeclarations } from '../../src/ingest/landing/declarations.js';
import type { LandingDeclaration } from '../../src/ingest/landing/types.js';
import { loadProject } from '../../src/project/loadProject.js';
import { parsePartitionPath } from '../../src/ingest/register/ddl.js';
import type { HiveTarget } from '../../src/config/types.js';
import { partitionLocation, partitionPath, type PartitionValues } from '../../src/ingest/register/index.js';
import { SampleGenerator } from '../../src/ingest/stream/sample.js';
import { parquetRowCount } from '../../src/ingest/stream/parquet.js';
import { byCells } from '../helpers/engines.js';
import { parquetStreamProject, typedColumnsSql, typedEvents } from '../helpers/parquetStream.js';

const stack = inject('stack');
const lakeRoot = `/qdbt-it/batch-compact-${process.pid}`;
const db = `qdbt_it_batch_compact_${process.pid}`;
const client = new WebHdfsClient({ url: stack.webhdfsUrl });
let adapter: HiveAdapter;
let declaration: LandingDeclaration;
let landing: string;
const hour = new Date('2024-01-05T07:30:00Z');

function hiveTarget(schema: string): HiveTarget {
  return target({ port: stack.hiveUrl.port }, schema, { retries: 2 });
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

const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const streamTopic = `qdbt-it-compact-${runId}`;
const streamLake = `/qdbt-it/compact-${runId}`;
const streamDb = `qdbt_it_compact_${runId}`;

afterAll(async () => {
  await adapter?.execute(`DROP DATABASE IF EXISTS ${streamDb} CASCADE`).catch(() => undefined);
  await client.delete(streamLake, { recursive: true }).catch(() => undefined);
  const kafka = new Kafka({ clientId: 'qdbt-it', brokers: [stack.kafkaBroker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin
    .connect()
    .then(() => admin.deleteTopics({ topics: [streamTopic] }))
    .catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
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
    // The old folder keeps the replaced files (queries that started before the swap may read them),
    // their record, and the marker naming the new one (for writers that still hold it).
    const oldDir = `${declaration.lakePath}/dt=2024-01-05/hr=07`;
    const old = await superseded(oldDir);
    expect(old.data).toHaveLength(12);
    expect(old.record).toEqual(old.data);
    expect(old.marker).toBe(true);
    expect(r!.superseded).toBe(oldDir);
    // The table reads only the new files, the same rows.
    expect(await count()).toBe(240);
    const read = await filesRead(`${db}.sales_agents`);
    expect(read.length).toBe(r!.filesAfter);
    expect(read.every((f) => f.includes(`${r!.location}/part-`))).toBe(true);
    // Nothing left to do on a second run; within the retention the old files stay.
    const again = await compact({ client, adapter, declaration, targetBytes: 2048 });
    expect(again[0]).toMatchObject({ status: 'skipped', reason: 'already compact' });
    expect(again[0]!.supersededPurged).toBeUndefined();
    expect((await superseded(oldDir)).data).toHaveLength(12);
    // Everything into one file; the first generation's files are kept in turn.
    const one = await compact({ client, adapter, declaration, targetBytes: 1 << 20 });
    expect(one[0]).toMatchObject({ status: 'compacted', filesAfter: 1, rows: 240, superseded: r!.location });
    expect(await count()).toBe(240);
    expect((await superseded(r!.location!)).data).toHaveLength(r!.filesAfter);
    // Retention 0: a run deletes both folders' replaced files (only them), the table unchanged.
    const purge = await compact({
      client,
      adapter,
      declaration,
      targetBytes: 1 << 20,
      retainSupersededMs: 0,
    });
    expect(purge[0]).toMatchObject({ status: 'skipped', supersededPurged: 2 });
    expect((await client.list(oldDir)).map((f) => f.pathSuffix)).toEqual(['_qdbt_moved']);
    expect((await client.list(r!.location!)).map((f) => f.pathSuffix)).toEqual([
      '_qdbt_compaction.json',
      '_qdbt_moved',
    ]);
    expect(await count()).toBe(240);
    expect(await filesRead(`${db}.sales_agents`)).toEqual([`${one[0]!.location}/part-00000.csv`]);
  });
});

/** A folder a swap left: its data files, the files its record lists, whether it has the marker. */
async function superseded(
  dir: string,
): Promise<{ data: string[]; record: string[] | null; marker: boolean }> {
  const names = (await client.list(dir)).map((f) => f.pathSuffix).sort();
  const text = names.includes('_qdbt_superseded.json')
    ? (await client.read(`${dir}/_qdbt_superseded.json`)).toString('utf8')
    : null;
  return {
    data: names.filter((n) => !/^[_.]/.test(n)),
    record: text ? (JSON.parse(text) as { files: string[] }).files.sort() : null,
    marker: names.includes('_qdbt_moved'),
  };
}

/** The files a table's rows come from (Hive's INPUT__FILE__NAME), as paths. */
async function filesRead(table: string, where = ''): Promise<string[]> {
  const result = await adapter.execute(`SELECT DISTINCT INPUT__FILE__NAME FROM ${table} ${where}`);
  return result.rows.map((r) => String(r[0]).replace(/^[a-z]+:\/\/[^/]*/i, '')).sort();
}

const run = promisify(execFile);

/** `qdbt <args>` from dist/ (JSON log lines), failing on a non-zero exit. */
async function qdbt(
  args: string[],
): Promise<Array<{ name: string; msg: string; data?: Record<string, unknown> }>> {
  const { stdout } = await run(process.execPath, ['bin/qdbt.js', ...args, '--log-format', 'json'], {
    cwd: stack.projectDir,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { name: string; msg: string; data?: Record<string, unknown> });
}

function ingestStream(): Promise<unknown> {
  return qdbt([
    'ingest',
    'stream',
    '--source',
    'app.events',
    '--topic',
    streamTopic,
    '--lake-path',
    streamLake,
    '--staging-schema',
    streamDb,
    '--group',
    `${streamTopic}-g`,
    '--brokers',
    stack.kafkaBroker,
    '--roll-records',
    '150',
    '--roll-seconds',
    '1',
    '--stop-when-idle',
    '5',
  ]);
}

async function compactStream(): Promise<Array<Record<string, unknown>>> {
  const lines = await qdbt([
    'compact',
    '--source',
    'app.events',
    '--lake-path',
    streamLake,
    '--staging-schema',
    streamDb,
    '--late-ms',
    '0',
  ]);
  return lines.filter((l) => l.name === 'compaction_result').map((l) => l.data!);
}

interface Figures {
  rows: number;
  distinct: number;
  checksum: string;
}

/** Per event hour: rows, distinct event ids and a checksum of the ids, read through HiveServer2. */
async function streamFigures(schema = streamDb): Promise<Map<string, Figures>> {
  const result = await adapter.execute(
    `SELECT dt, hr, count(*), count(DISTINCT event_id), sum(crc32(event_id)) FROM ${schema}.events GROUP BY dt, hr`,
  );
  return new Map(
    result.rows.map((r) => [
      `dt=${String(r[0])}/hr=${String(r[1])}`,
      { rows: Number(r[2]), distinct: Number(r[3]), checksum: String(r[4]) },
    ]),
  );
}

function total(figures: Map<string, Figures>): number {
  let n = 0;
  for (const f of figures.values()) n += f.rows;
  return n;
}

/** Data files in the partition's current location. */
async function dataFiles(partition: PartitionValues, of = streamDeclaration): Promise<string[]> {
  const location = await partitionLocation(adapter, of, partition);
  const path = location!.replace(/^[a-z]+:\/\/[^/]*/i, '');
  return (await client.list(path))
    .filter((f) => f.type === 'FILE' && !/^[_.]/.test(f.pathSuffix))
    .map((f) => `${path}/${f.pathSuffix}`);
}

let streamDeclaration: LandingDeclaration;

describe('qdbt compact on what qdbt ingest stream lands', () => {
  it('merges the small gzip files of closed hours, same rows; late events land visible once', async () => {
    const project = loadProject({ projectDir: process.cwd() });
    streamDeclaration = {
      ...findDeclaration(landingDeclarations(project.parsed.manifest, { lakeRoot }), 'app.events'),
      lakePath: streamLake,
      stagingTable: { schema: streamDb, name: 'events' },
    };
    await qdbt([
      'ingest',
      'produce-sample',
      '--topic',
      streamTopic,
      '--count',
      '6000',
      '--rate',
      '0',
      '--malformed',
      '0.02',
      '--partitions',
      '3',
      '--seed',
      '11',
      '--spread-hours',
      '3',
      '--brokers',
      stack.kafkaBroker,
    ]);
    await ingestStream();
    const before = await streamFigures();
    expect(total(before)).toBeGreaterThan(5000);
    for (const f of before.values()) expect(f.distinct).toBe(f.rows);
    const hours = [...before.keys()].sort();
    const filesBefore = new Map<string, number>();
    for (const key of hours) {
      const files = await dataFiles(parsePartitionPath(key));
      expect(files.every((f) => f.endsWith('.jsonl.gz'))).toBe(true);
      filesBefore.set(key, files.length);
    }

    // The hours that are over are closed (lateness 0); the current one is open and left alone.
    const results = await compactStream();
    const compacted = results.filter((r) => r.status === 'compacted');
    expect(compacted.length).toBeGreaterThanOrEqual(2);
    for (const r of results) if (r.status !== 'compacted') expect(r.status).toBe('open');
    const after = await streamFigures();
    expect(after).toEqual(before);
    for (const r of compacted) {
      const key = partitionPath(r.partition as PartitionValues);
      expect(filesBefore.get(key)!).toBeGreaterThan(3);
      expect(r.rows).toBe(before.get(key)!.rows);
      const files = await dataFiles(r.partition as PartitionValues);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\/_compacted\/.*\/part-00000\.jsonl\.gz$/);
      // The old folder keeps the replaced files (until --retain-superseded is over) and the marker.
      const old = await superseded(`${streamLake}/${key}`);
      expect(old.data).toHaveLength(filesBefore.get(key)!);
      expect(old.record).toEqual(old.data);
      expect(old.marker).toBe(true);
    }
    // The stream's bookkeeping and dead letters are untouched.
    expect((await client.list(`${streamLake}/_dead_letter`)).length).toBeGreaterThan(0);
    expect(await client.exists(`${streamLake}/_qdbt_stream/offsets`)).toBe(true);

    // Late events for the first compacted hour: landed into its current folder, visible once.
    const late = compacted[0]!.partition as PartitionValues;
    const lateKey = partitionPath(late);
    const hourStart = Date.parse(`${late.dt}T${late.hr!.padStart(2, '0')}:00:00Z`);
    const generator = new SampleGenerator({
      seed: 99,
      malformedShare: 0,
      startTimeMs: hourStart,
      spreadHours: 1,
      idPrefix: `late${runId}`,
    });
    const kafka = new Kafka({
      clientId: 'qdbt-it',
      brokers: [stack.kafkaBroker],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const lateEvents = Array.from({ length: 400 }, () => generator.next());
    await producer.send({
      topic: streamTopic,
      messages: lateEvents.map((e) => ({ key: e.key, value: e.value })),
    });
    await producer.disconnect();
    await ingestStream();
    const withLate = await streamFigures();
    expect(withLate.get(lateKey)!.rows).toBe(before.get(lateKey)!.rows + 400);
    expect(withLate.get(lateKey)!.distinct).toBe(before.get(lateKey)!.rows + 400);
    for (const key of hours) if (key !== lateKey) expect(withLate.get(key)).toEqual(before.get(key));
    const lateFiles = await dataFiles(late);
    expect(lateFiles.length).toBeGreaterThan(1);
    expect(lateFiles.every((f) => f.includes('/_compacted/'))).toBe(true);
    // No late file stayed in the old folder: it holds the replaced files only.
    const oldLate = await superseded(`${streamLake}/${lateKey}`);
    expect(oldLate.data).toEqual(oldLate.record);

    // Compacted again: the late files merged with the earlier output, rows unchanged.
    const again = await compactStream();
    const redone = again.find((r) => partitionPath(r.partition as PartitionValues) === lateKey)!;
    expect(redone).toMatchObject({ status: 'compacted', rows: withLate.get(lateKey)!.rows });
    expect(await dataFiles(late)).toHaveLength(1);
    expect(await streamFigures()).toEqual(withLate);
  });
});

describe('qdbt compact on the Parquet files of a file_format: parquet stream', () => {
  const topic = `qdbt-it-compact-pq-${runId}`;
  const lake = `/qdbt-it/compact-pq-${runId}`;
  const schema = `qdbt_it_compact_pq_${runId}`;
  const project = parquetStreamProject(stack.hiveUrl.port, schema);
  const common = [
    '--project-dir',
    project.dir,
    '--source',
    'app.events',
    '--lake-path',
    lake,
    '--staging-schema',
    schema,
  ];

  afterAll(async () => {
    await adapter?.execute(`DROP DATABASE IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.delete(lake, { recursive: true }).catch(() => undefined);
    const kafka = new Kafka({
      clientId: 'qdbt-it',
      brokers: [stack.kafkaBroker],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: [topic] }))
      .catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    project.cleanup();
  });

  it('merges them into Parquet files: same rows and typed values, fewer files', async () => {
    const found = findDeclaration(
      landingDeclarations(loadProject({ projectDir: project.dir }).parsed.manifest, { lakeRoot }),
      'app.events',
    );
    const declaration = { ...found, lakePath: lake, stagingTable: { schema, name: 'events' } };
    await qdbt([
      'ingest',
      'produce-sample',
      '--topic',
      topic,
      '--count',
      '4000',
      '--rate',
      '0',
      '--malformed',
      '0.02',
      '--partitions',
      '3',
      '--seed',
      '12',
      '--spread-hours',
      '3',
      '--brokers',
      stack.kafkaBroker,
    ]);
    // Typed values in an hour that is over, spread over many small files.
    const typed = typedEvents(41, 300, Math.floor(Date.now() / 3_600_000 - 2) * 3_600_000);
    const kafka = new Kafka({
      clientId: 'qdbt-it',
      brokers: [stack.kafkaBroker],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < typed.length; i += 50)
      await producer.send({ topic, messages: typed.slice(i, i + 50).map((e) => ({ value: e.value })) });
    await producer.disconnect();
    await qdbt([
      'ingest',
      'stream',
      ...common,
      '--topic',
      topic,
      '--group',
      `${topic}-g`,
      '--brokers',
      stack.kafkaBroker,
      '--roll-records',
      '150',
      '--roll-seconds',
      '1',
      '--stop-when-idle',
      '5',
    ]);
    const typedSql = typedColumnsSql(`${schema}.events`, 41);
    const byId = (a: unknown[], b: unknown[]) => byCells([a[0]], [b[0]]);
    const typedRows = async () => [...(await adapter.execute(typedSql)).rows].sort(byId);
    expect(await typedRows()).toEqual(typed.map((e) => e.expected).sort(byId));
    const before = await streamFigures(schema);
    expect(total(before)).toBeGreaterThan(3500);
    const filesBefore = new Map<string, number>();
    for (const key of before.keys()) {
      const files = await dataFiles(parsePartitionPath(key), declaration);
      expect(files.every((f) => f.endsWith('.parquet'))).toBe(true);
      filesBefore.set(key, files.length);
    }

    const lines = await qdbt(['compact', ...common, '--late-ms', '0']);
    const results = lines.filter((l) => l.name === 'compaction_result').map((l) => l.data!);
    const compacted = results.filter((r) => r.status === 'compacted');
    expect(compacted.length).toBeGreaterThanOrEqual(2);
    for (const r of results) if (r.status !== 'compacted') expect(r.status).toBe('open');
    expect(await streamFigures(schema)).toEqual(before);
    expect(await typedRows()).toEqual(typed.map((e) => e.expected).sort(byId));
    for (const r of compacted) {
      const key = partitionPath(r.partition as PartitionValues);
      expect(filesBefore.get(key)!).toBeGreaterThan(3);
      expect(r.rows).toBe(before.get(key)!.rows);
      const files = await dataFiles(r.partition as PartitionValues, declaration);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\/_compacted\/.*\/part-00000\.parquet$/);
      expect(parquetRowCount(await client.read(files[0]!))).toBe(r.rows);
      const old = await superseded(`${lake}/${key}`);
      expect(old.data).toHaveLength(filesBefore.get(key)!);
      expect(old.record).toEqual(old.data);
      expect(old.marker).toBe(true);
    }
  });
});

describe('qdbt compact (CLI): replaced files kept, then purged; a row-count mismatch fails one partition', () => {
  const root = `/qdbt-it/cli-compact-${runId}`;
  const schema = `qdbt_it_cli_compact_${runId}`;
  let decl: LandingDeclaration;
  let dir: string;
  const hours = { '07': new Date('2024-01-05T07:30:00Z'), '08': new Date('2024-01-05T08:30:00Z') };
  const key = (hr: string) => `dt=2024-01-05/hr=${hr}`;

  beforeAll(async () => {
    const project = loadProject({ projectDir: process.cwd() });
    decl = {
      ...findDeclaration(
        landingDeclarations(project.parsed.manifest, { lakeRoot: root }),
        'raw.sales_agents',
      ),
      stagingTable: { schema, name: 'sales_agents' },
    };
    await adapter.execute(`DROP DATABASE IF EXISTS ${schema} CASCADE`);
    await client.delete(root, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'qdbt-compact-cli-'));
    // Two closed hours of small CSV files: 10 files of 20 rows each.
    for (const [h, hr] of Object.keys(hours).entries()) {
      const from = join(dir, `in${hr}`);
      mkdirSync(from);
      for (let f = 0; f < 10; f++) {
        const rows = Array.from(
          { length: 20 },
          (_, i) => `${h * 10_000 + f * 100 + i},Agent ${hr}-${f}-${i},2020-1-1`,
        );
        writeFileSync(
          join(from, `sales_agents_SS_raw_${hr}_${f}.csv`),
          `sales_person_id,name,hire_date\n${rows.join('\n')}\n`,
        );
      }
      const summary = await ingestBatchOnce({
        client,
        adapter: async () => adapter,
        declarations: [decl],
        from,
        settleMs: 0,
        now: () => hours[hr as keyof typeof hours],
      });
      expect(summary.landed).toBe(10);
    }
  });

  afterAll(async () => {
    await adapter?.execute(`DROP DATABASE IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.delete(root, { recursive: true }).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** `qdbt compact` for this table (node options first, e.g. a preloaded hook): exit code and JSON lines. */
  async function compactCli(
    args: string[],
    nodeOptions: string[] = [],
  ): Promise<{
    code: number;
    lines: Array<{ name: string; level: string; msg: string; data?: Record<string, unknown> }>;
  }> {
    const argv = [
      ...nodeOptions,
      'bin/qdbt.js',
      'compact',
      '--source',
      'raw.sales_agents',
      '--lake-path',
      decl.lakePath,
      '--staging-schema',
      schema,
      ...args,
      '--log-format',
      'json',
    ];
    const done = await run(process.execPath, argv, {
      cwd: stack.projectDir,
      maxBuffer: 64 << 20,
      timeout: 240_000,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (error: { code?: number; stdout?: string }) => ({
        code: Number(error.code ?? -1),
        stdout: error.stdout ?? '',
      }),
    );
    const lines = done.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) => JSON.parse(l) as { name: string; level: string; msg: string; data?: Record<string, unknown> },
      );
    return { code: done.code, lines };
  }

  const rowsPerHour = async (): Promise<Record<string, string>> => {
    const result = await adapter.execute(
      `SELECT hr, count(*), sum(cast(sales_person_id AS bigint)) FROM ${schema}.sales_agents GROUP BY hr`,
    );
    return Object.fromEntries(result.rows.map((r) => [String(r[0]), `${String(r[1])}/${String(r[2])}`]));
  };

  it('a mismatch in hr=08 leaves it on its files and exits 1; hr=07 is compacted, its old files kept', async () => {
    const before = await rowsPerHour();
    expect(Object.keys(before).sort()).toEqual(['07', '08']);
    // The hook gives hr=08's merged file one more row on HDFS once it is renamed into place: the
    // count read back from HDFS then differs from the rows read from its inputs.
    const hook = join(dir, 'corrupt-hr08.mjs');
    const webhdfs = pathToFileURL(join(stack.projectDir, 'dist/ingest/hdfs/webhdfs.js')).href;
    writeFileSync(
      hook,
      `import { WebHdfsClient } from ${JSON.stringify(webhdfs)};
const rename = WebHdfsClient.prototype.rename;
WebHdfsClient.prototype.rename = async function (from, to) {
  const done = await rename.call(this, from, to);
  if (done && /\\/_compacted\\/dt=2024-01-05\\/hr=08\\/g[^/]*\\/part-\\d+\\.csv$/.test(to)) {
    const data = await this.read(to);
    await this.create(to, Buffer.concat([data, Buffer.from('999999,Intruder,2020-1-1\\n')]), { overwrite: true });
  }
  return done;
};
`,
    );
    const first = await compactCli(['--target-size', '1MB'], ['--import', pathToFileURL(hook).href]);
    expect(first.code).toBe(1);
    const results = first.lines.filter((l) => l.name === 'compaction_result');
    const by = (hr: string) => results.find((l) => (l.data!.partition as PartitionValues).hr === hr)!;
    expect(by('07').data).toMatchObject({ status: 'compacted', filesBefore: 10, filesAfter: 1, rows: 200 });
    expect(by('08').data).toMatchObject({
      status: 'failed',
      rowsRead: 200,
      rowsWritten: 201,
      filesAfter: 10,
    });
    expect(by('08').level).toBe('error');
    expect(by('08').msg).toMatch(
      /raw\.sales_agents dt=2024-01-05\/hr=08: FAILED, row count mismatch: 200 rows read from 10 files, 201 counted/,
    );
    expect(by('08').msg).toContain(
      '`qdbt compact --source raw.sales_agents --partition dt=2024-01-05 hr=08`',
    );
    const summary = first.lines.find((l) => l.name === 'compaction_summary')!;
    expect(summary.msg).toMatch(/1 of 2 partitions compacted, 1 FAILED/);
    // hr=08: still on its own 10 files, no merged file left behind, rows as before.
    expect((await partitionLocation(adapter, decl, { dt: '2024-01-05', hr: '08' }))!).toMatch(
      /\/dt=2024-01-05\/hr=08$/,
    );
    expect((await superseded(`${decl.lakePath}/${key('08')}`)).data).toHaveLength(10);
    expect(await client.list(`${decl.lakePath}/_compacted/${key('08')}`).catch(() => [])).toEqual([]);
    // hr=07: one new file read; the 10 old ones still there, listed in the record.
    const g07 = by('07').data!.location as string;
    expect(await filesRead(`${schema}.sales_agents`, "WHERE hr = '07'")).toEqual([`${g07}/part-00000.csv`]);
    const old = await superseded(`${decl.lakePath}/${key('07')}`);
    expect(old.data).toHaveLength(10);
    expect(old.record).toEqual(old.data);
    expect(await rowsPerHour()).toEqual(before);

    // Without the hook and with --retain-superseded 0: hr=08 compacted, both hours' old files gone.
    const second = await compactCli(['--target-size', '1MB', '--retain-superseded', '0']);
    expect(second.code).toBe(0);
    const again = second.lines.filter((l) => l.name === 'compaction_result').map((l) => l.data!);
    expect(again.map((r) => [(r.partition as PartitionValues).hr, r.status, r.supersededPurged])).toEqual([
      ['07', 'skipped', 1],
      ['08', 'compacted', 1],
    ]);
    expect(second.lines.find((l) => l.name === 'compaction_summary')!.msg).toMatch(
      /2 superseded folders purged/,
    );
    for (const hr of ['07', '08'])
      expect((await client.list(`${decl.lakePath}/${key(hr)}`)).map((f) => f.pathSuffix)).toEqual([
        '_qdbt_moved',
      ]);
    expect(await rowsPerHour()).toEqual(before);
    const g08 = again[1]!.location as string;
    expect(await filesRead(`${schema}.sales_agents`)).toEqual([
      `${g07}/part-00000.csv`,
      `${g08}/part-00000.csv`,
    ]);
  });
});

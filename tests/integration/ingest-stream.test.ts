/**
 * Stream ingestion end to end: Kafka -> `qdbt ingest stream` (a child process, from dist/) -> HDFS
 * -> the staging table, queried through HiveServer2. Exactly once across SIGKILLs and a broker
 * restart; malformed events in the dead-letter folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { createAdapter, type Adapter } from '../../src/adapters/index.js';
import { WebHdfsClient } from '../../src/ingest/hdfs/webhdfs.js';
import { StreamIngestor } from '../../src/ingest/stream/ingestor.js';
import { produceSample } from '../../src/ingest/stream/producer.js';
import { SampleGenerator } from '../../src/ingest/stream/sample.js';
import { findDeclaration, landingDeclarations } from '../../src/ingest/landing/declarations.js';
import { loadProject } from '../../src/project/loadProject.js';
import { layoutOf } from '../../src/local/layout.js';
import { launch, stopProcess } from '../../src/local/processes.js';
import { parquetRowCount } from '../../src/ingest/stream/parquet.js';
import { parseDataFileName } from '../../src/ingest/stream/paths.js';
import { byCells, target, up } from '../helpers/engines.js';
import {
  ensureStagingTable,
  parsePartitionPath,
  registerPartition,
} from '../../src/ingest/register/index.js';
import type { LandingDeclaration } from '../../src/ingest/landing/types.js';
import { parquetStreamProject, typedColumnsSql, typedEvents } from '../helpers/parquetStream.js';
import { prepare } from '../../src/local/servers.js';
import { loadLocalSettings, type LocalSettings } from '../../src/local/settings.js';

const stack = inject('stack');
const hdfs = new WebHdfsClient({ url: stack.webhdfsUrl });
const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const schemas: string[] = [];
const topics: string[] = [];
const lakes: string[] = [];
const cleanups: Array<() => void> = [];
/** What the Parquet test landed, for the Spark check after it. */
let parquetLanded: {
  declaration: LandingDeclaration;
  typed: ReturnType<typeof typedEvents>;
  good: number;
} | null = null;
let adapter: Adapter | null = null;

interface LogLine {
  level: string;
  name: string;
  msg: string;
  data: Record<string, unknown>;
}

class Ingestor {
  readonly lines: LogLine[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private waiters: Array<{ test: (line: LogLine) => boolean; resolve: () => void }> = [];

  constructor(topic: string, lake: string, schema: string, extra: string[] = []) {
    this.child = spawn(
      process.execPath,
      [
        'bin/qdbt.js',
        'ingest',
        'stream',
        '--source',
        'app.events',
        '--topic',
        topic,
        '--lake-path',
        lake,
        '--staging-schema',
        schema,
        '--group',
        `${topic}-g`,
        '--roll-records',
        '2500',
        '--roll-seconds',
        '1',
        '--stats-every',
        '1',
        '--log-format',
        'json',
        '--debug',
        ...extra,
      ],
      { cwd: stack.projectDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stderr: string[] = [];
    // Every run's output, for a failure's post-mortem.
    const logFile = join(tmpdir(), `qdbt-it-stream-${runId}.log`);
    appendFileSync(logFile, `--- ingest stream ${topic} pid ${this.child.pid} ${new Date().toISOString()}\n`);
    this.child.stderr!.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString());
      appendFileSync(logFile, chunk);
    });
    this.child.stdout!.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(line)) return true;
        w.resolve();
        return false;
      });
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        if (code !== 0 && code !== null)
          process.stderr.write(`[ingestor] exit ${code}\n${stderr.join('')}\n`);
        resolve(code);
      }),
    );
  }

  waitFor(test: (line: LogLine) => boolean, timeoutMs = 120_000): Promise<void> {
    if (this.lines.some(test)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `ingestor log: no matching line in ${timeoutMs} ms; last: ${JSON.stringify(this.lines.slice(-5))}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`ingestor exited while waiting; last: ${JSON.stringify(this.lines.slice(-5))}`));
      });
    });
  }

  /** Its exit code; kills it (and fails) when it has not exited in time. */
  async exit(timeoutMs = 120_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(
          new Error(
            `ingestor did not exit in ${timeoutMs} ms; last: ${JSON.stringify(this.lines.slice(-5))}`,
          ),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Number of `stream_range_landed` lines so far. */
  get landed(): number {
    return this.lines.filter((l) => l.name === 'stream_range_landed').length;
  }
}

/**
 * Starts the stopped broker again with the stack's own launch spec (what `qdbt local up` runs), and
 * waits until a client with retries sees it (`up`'s one-shot probe left stray kafkajs rejections).
 */
async function restartKafka(settings: LocalSettings): Promise<void> {
  const spec = await prepare(settings, 'kafka', { onResolve: () => undefined, onStep: () => undefined });
  launch(layoutOf(settings), spec);
  const kafka = new Kafka({
    clientId: 'qdbt-it-wait',
    brokers: [stack.kafkaBroker],
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 500, maxRetryTime: 2_000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
}

async function produce(
  topic: string,
  count: number,
  seed: number,
  good: Set<number>,
  rate = 0,
): Promise<number> {
  let malformed = 0;
  await produceSample({
    brokers: [stack.kafkaBroker],
    topic,
    rate,
    count,
    seed,
    idPrefix: `s${seed}`,
    malformedShare: 0.1,
    spreadHours: 3,
    onEvent: (id, bad) => {
      if (bad) malformed++;
      else good.add(Number(id.slice(id.lastIndexOf('-') + 1)) + seed * 1_000_000);
    },
  });
  return malformed;
}

/** Runs a query, retrying a few times while HiveServer2 is unavailable (the stack is shared). */
async function query(sql: string): Promise<Awaited<ReturnType<Adapter['execute']>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await hive()).execute(sql);
    } catch (error) {
      if (attempt >= 6 || !/inactive|not ready|connect|ECONNREFUSED|closed/i.test((error as Error).message))
        throw error;
      await adapter?.close().catch(() => undefined);
      adapter = null;
      await sleep(10_000);
    }
  }
}

async function hive(): Promise<Adapter> {
  if (!adapter)
    adapter = await createAdapter(loadProject({ projectDir: stack.projectDir }).target, { threads: 1 });
  return adapter;
}

/** count(*), count(distinct), and the sum of the event numbers, read back through HiveServer2. */
async function tableFigures(schema: string): Promise<{ rows: number; distinct: number; sum: bigint }> {
  const result = await query(
    `SELECT count(*), count(DISTINCT event_id), sum(cast(substr(split(event_id, '-')[0], 2) AS bigint) * 1000000 + cast(split(event_id, '-')[1] AS bigint)) FROM \`${schema}\`.\`events\``,
  );
  const row = result.rows[0]!;
  return { rows: Number(row[0]), distinct: Number(row[1]), sum: BigInt(String(row[2] ?? 0)) };
}

async function deadLetters(lake: string): Promise<Array<Record<string, unknown>>> {
  const dir = `${lake}/_dead_letter`;
  const letters: Array<Record<string, unknown>> = [];
  for (const file of await hdfs.list(dir).catch(() => [])) {
    const text = (await hdfs.read(`${dir}/${file.pathSuffix}`)).toString('utf8');
    for (const line of text.split('\n').filter(Boolean))
      letters.push(JSON.parse(line) as Record<string, unknown>);
  }
  return letters;
}

function expectedSum(good: Set<number>): bigint {
  let sum = 0n;
  for (const n of good) sum += BigInt(n);
  return sum;
}

function assertDeadLetters(letters: Array<Record<string, unknown>>, malformed: number, topic: string): void {
  expect(letters).toHaveLength(malformed);
  expect(new Set(letters.map((l) => `${String(l.partition)}:${String(l.offset)}`)).size).toBe(malformed);
  for (const letter of letters) {
    expect(letter.topic).toBe(topic);
    expect(typeof letter.reason).toBe('string');
    expect(letter.reason).not.toBe('');
  }
}

afterAll(async () => {
  for (const schema of schemas)
    await adapter?.execute(`DROP DATABASE IF EXISTS \`${schema}\` CASCADE`).catch(() => undefined);
  await adapter?.close();
  for (const lake of lakes) await hdfs.delete(lake, { recursive: true }).catch(() => undefined);
  const kafka = new Kafka({ clientId: 'qdbt-it', brokers: [stack.kafkaBroker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
  hdfs.close();
  for (const cleanup of cleanups) cleanup();
});

describe('qdbt ingest stream', () => {
  it('lands every good event exactly once across two SIGKILLs, bad ones in the dead-letter folder', async () => {
    const topic = `qdbt-it-stream-${runId}-kill`;
    const lake = `/qdbt-it/stream-${runId}-kill`;
    const schema = `qdbt_it_stream_${runId}_kill`;
    schemas.push(schema);
    topics.push(topic);
    lakes.push(lake);
    const good = new Set<number>();
    let malformed = await produce(topic, 15_000, 1, good);

    // First run: killed right after it landed its first ranges, while others are being written.
    const first = new Ingestor(topic, lake, schema);
    await first.waitFor((l) => l.name === 'stream_range_landed');
    await sleep(150);
    first.child.kill('SIGKILL');
    await first.exited;
    const landedFirst = first.landed;

    // More events arrive while it is down, and during the second run, which is killed mid-stream.
    malformed += await produce(topic, 10_000, 2, good);
    const second = new Ingestor(topic, lake, schema);
    await second.waitFor((l) => l.name === 'stream_range_landed');
    const producing = produce(topic, 10_000, 3, good, 2_000);
    await sleep(1_200);
    second.child.kill('SIGKILL');
    await second.exited;
    malformed += await producing;

    // Third run until it is idle; it stops gracefully by itself.
    const third = new Ingestor(topic, lake, schema, ['--stop-when-idle', '6']);
    expect(await third.exit()).toBe(0);
    expect(landedFirst).toBeGreaterThan(0);
    expect(second.landed).toBeGreaterThan(0);
    expect(third.landed).toBeGreaterThan(0);
    expect(third.lines.some((l) => l.name === 'stream_summary')).toBe(true);

    // The restarts resumed from the lake (and undid what a kill cut short, when it hit a landing).
    const resumed = [...second.lines, ...third.lines].filter((l) => l.name === 'stream_partition_ready');
    process.stderr.write(`[ingest-stream] restarts: ${resumed.map((l) => l.msg).join(' | ')}\n`);
    expect(resumed.some((l) => Number(l.data.resume) > 0)).toBe(true);

    const figures = await tableFigures(schema);
    expect(figures.rows).toBe(good.size);
    expect(figures.distinct).toBe(good.size);
    expect(figures.sum).toBe(expectedSum(good));
    assertDeadLetters(await deadLetters(lake), malformed, topic);
    // No leftovers of the killed runs.
    expect(await hdfs.list(`${lake}/_qdbt_stream/tmp`).catch(() => [])).toEqual([]);
  });

  it('survives a Kafka broker restart mid-stream and exits cleanly on SIGTERM', async () => {
    const topic = `qdbt-it-stream-${runId}-broker`;
    const lake = `/qdbt-it/stream-${runId}-broker`;
    const schema = `qdbt_it_stream_${runId}_broker`;
    schemas.push(schema);
    topics.push(topic);
    lakes.push(lake);
    // The app keeps sending across the restart (a send that fails is resent, so Kafka may hold a
    // few events twice: what must land is what Kafka holds, so the expectation is read from Kafka).
    const goodValues = new Set<string>();
    const sample = (seed: number, count: number, rate: number) =>
      produceSample({
        brokers: [stack.kafkaBroker],
        topic,
        rate,
        count,
        seed,
        idPrefix: `s${seed}`,
        malformedShare: 0.1,
        spreadHours: 3,
        onEvent: (_id, bad, value) => void (bad ? undefined : goodValues.add(value)),
      });
    await sample(7, 5_000, 0);
    const ingestor = new Ingestor(topic, lake, schema);
    await ingestor.waitFor((l) => l.name === 'stream_range_landed');
    // The app is `qdbt ingest produce-sample` in a process of its own; the same seed regenerates its events.
    const producer = spawn(
      process.execPath,
      [
        'bin/qdbt.js',
        'ingest',
        'produce-sample',
        '--topic',
        topic,
        '--rate',
        '2000',
        '--count',
        '30000',
        '--seed',
        '8',
        '--malformed',
        '0.1',
        '--log-format',
        'json',
      ],
      { cwd: stack.projectDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const producerOut: string[] = [];
    producer.stdout.on('data', (c: Buffer) => producerOut.push(c.toString()));
    producer.stderr.on('data', (c: Buffer) => producerOut.push(c.toString()));
    const producing = new Promise<number | null>((resolve) => producer.on('exit', resolve));
    const generator = new SampleGenerator({ seed: 8, malformedShare: 0.1 });
    const goodIds = new Set<string>();
    for (let i = 0; i < 30_000; i++) {
      const event = generator.next();
      if (!event.malformed) goodIds.add(event.eventId);
    }
    await sleep(3_000);

    // Restart the broker through the project's stack code (stop the recorded pid, `up` again).
    const settings = loadLocalSettings(stack.projectDir, { engine: 'both' });
    const stopped = await stopProcess(layoutOf(settings), 'kafka');
    try {
      expect(stopped.stopped).toBe(true);
      await sleep(2_000);
    } finally {
      // Other suites share this broker: it runs again whatever happens here.
      await restartKafka(settings);
    }
    const producerExit = await producing;
    expect(producerExit, producerOut.join('')).toBe(0);
    const resent = producerOut
      .join('')
      .split('\n')
      .filter((l) => l.includes('produce_retry')).length;

    // What Kafka holds, read back in full.
    const expected = { good: 0, bad: 0, sum: 0n, ids: new Set<string>() };
    const kafka = new Kafka({
      clientId: 'qdbt-it',
      brokers: [stack.kafkaBroker],
      logLevel: logLevel.NOTHING,
    });
    const reader = kafka.consumer({ groupId: `${topic}-reader` });
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const total = offsets.reduce((n, o) => n + Number(o.high), 0);
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    let read = 0;
    await new Promise<void>((resolve) => {
      void reader.run({
        eachMessage: async ({ message }) => {
          read++;
          const value = message.value?.toString('utf8') ?? '';
          let id: string | undefined;
          try {
            id = (JSON.parse(value) as { event_id?: string }).event_id;
          } catch {
            /* not JSON */
          }
          if (id !== undefined && (goodValues.has(value) || goodIds.has(id))) {
            const dash = id.indexOf('-');
            expected.good++;
            expected.ids.add(id);
            expected.sum += BigInt(Number(id.slice(1, dash)) * 1_000_000 + Number(id.slice(dash + 1)));
          } else expected.bad++;
          if (read >= total) resolve();
        },
      });
    });
    await reader.disconnect();

    await ingestor.waitFor(
      (l) => l.name === 'stream_progress' && Number(l.data.eventsLanded) + Number(l.data.deadLanded) >= total,
      180_000,
    );
    ingestor.child.kill('SIGTERM');
    expect(await ingestor.exit()).toBe(0);
    const outage = ingestor.lines.filter((l) => /commit_failed|consumer_crash|hdfs_retry/.test(l.name));
    process.stderr.write(
      `[ingest-stream] broker restart: ${total} messages in Kafka (${resent} batches resent), ${outage.length} commit failures or consumer restarts logged\n`,
    );
    expect(ingestor.lines.some((l) => l.name === 'stream_summary')).toBe(true);

    const figures = await tableFigures(schema);
    expect(figures.rows).toBe(expected.good);
    expect(figures.sum).toBe(expected.sum);
    expect(figures.distinct).toBe(expected.ids.size);
    assertDeadLetters(await deadLetters(lake), expected.bad, topic);
  });

  it('recovers in-process from a landing that failed (lake and Kafka stay consistent)', async () => {
    const topic = `qdbt-it-stream-${runId}-flaky`;
    const lake = `/qdbt-it/stream-${runId}-flaky`;
    topics.push(topic);
    lakes.push(lake);
    const good = new Set<number>();
    const malformed = await produce(topic, 20_000, 6, good);
    const project = loadProject({ projectDir: stack.projectDir });
    const found = findDeclaration(
      landingDeclarations(project.parsed.manifest, { lakeRoot: '/lake' }),
      'app.events',
    );
    // An HDFS whose 4th and 9th data-file renames fail for good (not a transient error).
    let renames = 0;
    const flaky = new Proxy(hdfs, {
      get(target, name, receiver) {
        if (name === 'rename')
          return async (from: string, to: string) => {
            if (from.includes('/tmp/') && [4, 9].includes(++renames))
              throw new Error('injected rename failure');
            return target.rename(from, to);
          };
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const failures: string[] = [];
    const ingestor = new StreamIngestor({
      declaration: { ...found, topic, lakePath: lake },
      brokers: [stack.kafkaBroker],
      groupId: `${topic}-g`,
      hdfs: flaky,
      roll: { maxRecords: 2_000, maxAgeMs: 500 },
      log: (level, name, message) => {
        if (name === 'stream_landing_failed') failures.push(message);
      },
    });
    await ingestor.start();
    const deadline = Date.now() + 120_000;
    while (ingestor.stats.eventsLanded + ingestor.stats.deadLanded < 20_000 && Date.now() < deadline)
      await sleep(200);
    await ingestor.stop();
    expect(failures.length).toBeGreaterThan(0);

    const seen: number[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await hdfs.list(dir)) {
        const path = `${dir}/${entry.pathSuffix}`;
        if (entry.type === 'DIRECTORY') {
          if (entry.pathSuffix.startsWith('dt=') || entry.pathSuffix.startsWith('hr=')) await walk(path);
          continue;
        }
        const data = await hdfs.read(path);
        const text = (path.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8');
        for (const line of text.split('\n').filter(Boolean)) {
          const id = (JSON.parse(line) as { event_id: string }).event_id;
          seen.push(6_000_000 + Number(id.slice(id.lastIndexOf('-') + 1)));
        }
      }
    };
    await walk(lake);
    expect(seen.length).toBe(good.size);
    expect(new Set(seen).size).toBe(good.size);
    expect(seen.every((n) => good.has(n))).toBe(true);
    assertDeadLetters(await deadLetters(lake), malformed, topic);
  });

  it('file_format: parquet lands Parquet files Hive reads with exact types, exactly once across a SIGKILL', async () => {
    const topic = `qdbt-it-stream-${runId}-parquet`;
    const lake = `/qdbt-it/stream-${runId}-parquet`;
    const schema = `qdbt_it_stream_${runId}_parquet`;
    schemas.push(schema);
    topics.push(topic);
    lakes.push(lake);
    const project = parquetStreamProject(stack.hiveUrl.port, schema);
    cleanups.push(project.cleanup);
    const args = ['--project-dir', project.dir];
    const good = new Set<number>();
    let malformed = await produce(topic, 12_000, 31, good);
    // Events that fill the typed columns, in the hour before the current one.
    const typed = typedEvents(39, 120, Math.floor(Date.now() / 3_600_000 - 1) * 3_600_000);
    const kafka = new Kafka({
      clientId: 'qdbt-it',
      brokers: [stack.kafkaBroker],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: typed.map((e) => ({ value: e.value })) });
    await producer.disconnect();
    typed.forEach((_, n) => good.add(39_000_000 + n));

    // Killed right after its first ranges landed, while others are being written.
    const first = new Ingestor(topic, lake, schema, args);
    await first.waitFor((l) => l.name === 'stream_range_landed');
    await sleep(150);
    first.child.kill('SIGKILL');
    await first.exited;
    malformed += await produce(topic, 8_000, 32, good);
    const second = new Ingestor(topic, lake, schema, [...args, '--stop-when-idle', '6']);
    expect(await second.exit()).toBe(0);
    expect(first.landed).toBeGreaterThan(0);
    expect(second.landed).toBeGreaterThan(0);
    expect(second.lines.some((l) => l.name === 'stream_partition_ready' && Number(l.data.resume) > 0)).toBe(
      true,
    );

    // Every data file is Parquet, named by its range, and its rows add up to the good events.
    let rowsInFiles = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await hdfs.list(dir)) {
        const path = `${dir}/${entry.pathSuffix}`;
        if (entry.type === 'DIRECTORY') {
          if (/^(dt|hr)=/.test(entry.pathSuffix)) await walk(path);
          continue;
        }
        expect(entry.pathSuffix).toMatch(/\.parquet$/);
        expect(parseDataFileName(entry.pathSuffix)).toMatchObject({ topic });
        const data = await hdfs.read(path);
        expect(data.subarray(0, 4).toString()).toBe('PAR1');
        rowsInFiles += parquetRowCount(data);
      }
    };
    await walk(lake);
    expect(rowsInFiles).toBe(good.size);

    // The staging table is Parquet, and returns exactly the good events, typed values exact.
    const formatted = await query(`DESCRIBE FORMATTED \`${schema}\`.\`events\``);
    expect(JSON.stringify(formatted.rows)).toContain('MapredParquetInputFormat');
    const figures = await tableFigures(schema);
    expect(figures.rows).toBe(good.size);
    expect(figures.distinct).toBe(good.size);
    expect(figures.sum).toBe(expectedSum(good));
    const rows = (await query(typedColumnsSql(`\`${schema}\`.\`events\``, 39))).rows;
    const byId = (a: unknown[], b: unknown[]) => byCells([a[0]], [b[0]]);
    expect([...rows].sort(byId)).toEqual(typed.map((e) => e.expected).sort(byId));
    assertDeadLetters(await deadLetters(lake), malformed, topic);
    expect(await hdfs.list(`${lake}/_qdbt_stream/tmp`).catch(() => [])).toEqual([]);

    // The same table declared as JSON lines is refused, not read with the wrong SerDe.
    const found = findDeclaration(
      landingDeclarations(loadProject({ projectDir: project.dir }).parsed.manifest, { lakeRoot: '/lake' }),
      'app.events',
    );
    const declaration = { ...found, topic, lakePath: lake, stagingTable: { schema, name: 'events' } };
    await expect(
      ensureStagingTable(await hive(), { ...declaration, fileFormat: 'textfile' }),
    ).rejects.toThrow(/is stored as Parquet, but 'file_format' is textfile/);
    parquetLanded = { declaration, typed, good: good.size };
  });

  // Spark Thrift Server has a metastore of its own: the table is declared there, over the same files.
  it.runIf(up.spark)('Spark reads the Parquet files with the same typed values', async () => {
    expect(parquetLanded).not.toBeNull();
    const { declaration, typed, good } = parquetLanded!;
    const { schema } = declaration.stagingTable;
    const spark = await createAdapter(target({ port: stack.sparkUrl.port }, 'default'), { threads: 1 });
    try {
      expect(await ensureStagingTable(spark, declaration)).toMatch(/USING parquet/);
      for (const dt of await hdfs.list(declaration.lakePath))
        if (dt.pathSuffix.startsWith('dt='))
          for (const hr of await hdfs.list(`${declaration.lakePath}/${dt.pathSuffix}`)) {
            const folder = `${dt.pathSuffix}/${hr.pathSuffix}`;
            await registerPartition(
              spark,
              declaration,
              parsePartitionPath(folder),
              `${declaration.lakePath}/${folder}`,
            );
          }
      const count = await spark.execute(
        `SELECT count(*), count(DISTINCT event_id) FROM \`${schema}\`.\`events\``,
      );
      expect(count.rows[0]!.map(Number)).toEqual([good, good]);
      const rows = (await spark.execute(typedColumnsSql(`\`${schema}\`.\`events\``, 39))).rows;
      const byId = (a: unknown[], b: unknown[]) => byCells([a[0]], [b[0]]);
      expect([...rows].sort(byId)).toEqual(typed.map((e) => e.expected).sort(byId));
    } finally {
      await spark.execute(`DROP DATABASE IF EXISTS \`${schema}\` CASCADE`).catch(() => undefined);
      await spark.close();
    }
  });
});

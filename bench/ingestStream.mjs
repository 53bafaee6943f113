// Stream ingestion throughput: Kafka -> qdbt's stream ingestor -> HDFS (runs after `npm run build`, uses dist/).
//
// Uses the project's local stack (starts what is missing, like the integration tests). Sends N
// sample events of about 300 bytes to a fresh 3-partition topic (the producer's rate is the first
// reference), measures Kafka's own ConsumerPerformance on the same topic (second reference), then
// ingests the topic end to end (consume, validate, route by event hour, write JSON lines files,
// rename, commit markers, Kafka commits) and prints events/s. Hive registration is left out: it runs
// once per new hour folder, not per event. Topic and lake folder are deleted afterwards.
// Run directly, it ingests the same topic a second time as `file_format: parquet` (Parquet files).
//
//   node bench/ingestStream.mjs            (QDBT_BENCH_STREAM_EVENTS=600000 by default;
//                                           QDBT_BENCH_STREAM_FORMATS=textfile,parquet by default)
//   bench/ingest.mjs imports benchStream() and runs it after the batch figures (JSON lines only).
import { spawn } from 'node:child_process';
import { setInterval, clearInterval } from 'node:timers';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { loadLocalSettings } from '../dist/local/settings.js';
import { layoutOf } from '../dist/local/layout.js';
import { resolveClasspath } from '../dist/local/maven.js';
import { up } from '../dist/local/stack.js';
import { WebHdfsClient } from '../dist/ingest/hdfs/webhdfs.js';
import { StreamIngestor } from '../dist/ingest/stream/ingestor.js';
import { produceSample } from '../dist/ingest/stream/producer.js';
import { loadProject } from '../dist/project/loadProject.js';
import { findDeclaration, landingDeclarations } from '../dist/ingest/landing/declarations.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (text) => process.stderr.write(`${text}\n`);
const rate = (n, ms) => Math.round(n / (ms / 1000));

/** Kafka's ConsumerPerformance over the topic: messages/s as it reports them. */
async function consumerPerformance(layout, broker, topic, messages) {
  const classpath = [layout.conf('kafka'), ...(await resolveClasspath(layout, 'kafka'))].join(path.delimiter);
  const args = [
    '-Xmx512m',
    `-Dlog4j.configuration=file:${path.join(layout.conf('kafka'), 'log4j.properties')}`,
    '-cp',
    classpath,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    broker,
    '--topic',
    topic,
    '--messages',
    String(messages),
    '--group',
    `${topic}-perf`,
    '--timeout',
    '60000',
  ];
  const out = await new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.stderr.on('data', (c) => (text += c));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`ConsumerPerformance exit ${code}: ${text.slice(-500)}`)),
    );
  });
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
  const lines = out.split('\n').filter((l) => /^\d{4}-\d\d-\d\d/.test(l.trim()));
  const fields = (lines.at(-1) ?? '').split(',').map((f) => f.trim());
  return {
    messages: Number(fields[4]),
    perSecond: Number(fields[5]),
    mbPerSecond: Number(fields[3]),
    raw: lines.at(-1),
  };
}

/** Ingests the topic once into a fresh lake folder; returns the stats and timings. */
async function ingestOnce({ declaration, broker, hdfs, events, groupId }) {
  let firstAt = 0;
  const ingestor = new StreamIngestor({
    declaration,
    brokers: [broker],
    groupId,
    hdfs,
    roll: { maxRecords: 100_000, maxAgeMs: 1_000 },
    log: (level, name, message) => {
      if (level === 'warn' || level === 'error') log(`  ${message}`);
    },
  });
  const t0 = performance.now();
  await ingestor.start();
  await new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const s = ingestor.stats;
      if (!firstAt && s.consumed > 0) firstAt = performance.now();
      if (s.eventsLanded + s.deadLanded >= events) {
        clearInterval(timer);
        resolve();
      } else if (performance.now() - t0 > 600_000) {
        clearInterval(timer);
        reject(new Error(`only ${s.eventsLanded + s.deadLanded} of ${events} landed in 10 minutes`));
      }
    }, 20);
  });
  const t1 = performance.now();
  await ingestor.stop();
  return { stats: ingestor.stats, total: t1 - t0, steady: t1 - firstAt };
}

export async function benchStream(options = {}) {
  const formats = options.fileFormats ?? ['textfile'];
  const events = Number(process.env.QDBT_BENCH_STREAM_EVENTS ?? 600_000);
  const settings = loadLocalSettings(root, { engine: 'hive' });
  const layout = layoutOf(settings);
  log('bench stream: making sure the local stack runs ...');
  await up(settings, (e) => log(`  ${e.message}`));
  const broker = `127.0.0.1:${settings.ports.kafka}`;
  const webhdfs = `http://127.0.0.1:${settings.ports.namenode_http}`;
  const id = Date.now().toString(36);
  const topic = `qdbt-it-stream-bench-${id}`;
  const lake = `/qdbt-it/stream-bench-${id}`;
  const hdfs = new WebHdfsClient({ url: webhdfs });
  const kafka = new Kafka({ clientId: 'qdbt-bench', brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    log(`bench stream: producing ${events} events to ${topic} ...`);
    const produced = await produceSample({
      brokers: [broker],
      topic,
      rate: 0,
      count: events,
      seed: 11,
      malformedShare: 0.01,
      spreadHours: 2,
      partitions: 3,
    });

    log('bench stream: Kafka ConsumerPerformance ...');
    let perf = null;
    try {
      perf = await consumerPerformance(layout, broker, topic, events);
    } catch (error) {
      log(`  ConsumerPerformance failed: ${error.message}`);
    }

    const project = loadProject({ projectDir: root });
    const found = findDeclaration(
      landingDeclarations(project.parsed.manifest, { lakeRoot: '/lake' }),
      'app.events',
    );
    const runs = [];
    for (const fileFormat of formats) {
      log(`bench stream: qdbt ingest stream (${fileFormat}) ...`);
      const declaration = { ...found, topic, lakePath: `${lake}/${fileFormat}`, fileFormat };
      runs.push({
        fileFormat,
        ...(await ingestOnce({ declaration, broker, hdfs, events, groupId: `${topic}-${fileFormat}` })),
      });
    }
    const [first] = runs;
    const { total, steady, stats: s } = first;
    const lines = [
      '',
      `Stream ingestion, ${events} events of ${Math.round(produced.bytes / produced.sent)} bytes, 3 partitions, 1 process`,
      ...runs.flatMap((run) => [
        `  qdbt ingest stream (Kafka -> HDFS, exactly once, ${run.fileFormat === 'parquet' ? 'Parquet files' : 'gzip JSON lines'}): ${rate(events, run.total)} events/s end to end (${(run.total / 1000).toFixed(1)} s incl. group join), ${rate(events, run.steady)} events/s from the first message`,
        `    ${run.stats.eventsLanded} events + ${run.stats.deadLanded} dead letters in ${run.stats.rangesLanded} ranges, ${run.stats.filesLanded} files, ${(run.stats.bytesLanded / 1048576).toFixed(0)} MiB written (Hive registration not included)`,
      ]),
      `  reference, qdbt ingest produce-sample (kafkajs producer): ${Math.round(produced.eventsPerSecond)} events/s`,
      perf
        ? `  reference, Kafka ConsumerPerformance: ${Math.round(perf.perSecond)} msg/s (${perf.mbPerSecond.toFixed(1)} MB/s, ${perf.messages} messages)`
        : '  reference, Kafka ConsumerPerformance: not available',
      `  goal: 50000 events/s -> ${runs.map((run) => `${run.fileFormat}: ${rate(events, run.steady) >= 50_000 ? 'met' : 'not met'}`).join(', ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return { events, total, steady, produced, perf, stats: s, runs };
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await hdfs.delete(lake, { recursive: true }).catch(() => undefined);
    hdfs.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const fileFormats = (process.env.QDBT_BENCH_STREAM_FORMATS ?? 'textfile,parquet')
    .split(',')
    .filter(Boolean);
  benchStream({ fileFormats }).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    },
  );
}

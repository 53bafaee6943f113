import type { Command } from 'commander';
import { createAdapter, type Adapter } from '../../adapters/index.js';
import type { HiveTarget } from '../../config/types.js';
import { QdbtError } from '../../errors.js';
import { webHdfsClientFor } from '../../ingest/context.js';
import type { WebHdfsClient } from '../../ingest/hdfs/webhdfs.js';
import { findDeclaration, landingDeclarations } from '../../ingest/landing/declarations.js';
import { ensureStagingTable, registerPartition } from '../../ingest/register/index.js';
// The ingestor and the producer load kafkajs: imported when the command runs, not at CLI start-up.
import type { IngestLogLevel } from '../../ingest/stream/ingestor.js';
import type { StreamCompression } from '../../ingest/stream/lake.js';
import { partitionValuesOf } from '../../ingest/stream/paths.js';
import { loadProject, readProject } from '../../project/loadProject.js';
import { contextFrom, type CommandContext } from '../globalOptions.js';

const DEFAULT_BROKERS = '127.0.0.1:9092';
const DEFAULT_WEBHDFS = 'http://127.0.0.1:9870';

interface StreamFlags {
  source: string;
  topic?: string;
  group?: string;
  brokers?: string;
  lakeRoot?: string;
  lakePath?: string;
  stagingSchema?: string;
  deadLetterPath?: string;
  rollBytes?: number;
  rollRecords?: number;
  rollSeconds?: number;
  fromLatest?: boolean;
  register: boolean;
  stopWhenIdle?: number;
  statsEvery: number;
  compression: StreamCompression;
}

interface ProduceFlags {
  topic: string;
  rate: number;
  count: number;
  malformed: number;
  partitions: number;
  seed?: number;
  spreadHours: number;
  brokers?: string;
}

function positive(flag: string, allowZero = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
      throw new QdbtError(
        'usage',
        `${flag} takes a ${allowZero ? 'non-negative' : 'positive'} number, not '${value}'`,
      );
    return n;
  };
}

function share(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new QdbtError('usage', `--malformed takes a share between 0 and 1, not '${value}'`);
  return n;
}

function brokersOf(flag: string | undefined, target: HiveTarget | null): string[] {
  const fromTarget = target?.extra.kafka_brokers;
  const text =
    flag ??
    (Array.isArray(fromTarget)
      ? fromTarget.join(',')
      : typeof fromTarget === 'string'
        ? fromTarget
        : undefined) ??
    process.env.QDBT_KAFKA_BROKERS ??
    DEFAULT_BROKERS;
  return text
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/**
 * The stream's WebHDFS client: the same settings as `qdbt ingest batch` and `qdbt compact`
 * (`hdfs_url`, `hdfs_standby_url`, `hdfs_user`, `hdfs_delegation_token` or
 * QDBT_HDFS_DELEGATION_TOKEN), except that a target without `hdfs_url` uses the local stack's.
 */
export function streamWebHdfsClient(
  target: HiveTarget,
  env: Record<string, string | undefined> = process.env,
): WebHdfsClient {
  const url = target.extra.hdfs_url;
  const withUrl =
    typeof url === 'string' && url.trim()
      ? target
      : { ...target, extra: { ...target.extra, hdfs_url: DEFAULT_WEBHDFS } };
  return webHdfsClientFor(withUrl, env);
}

function logTo(
  context: CommandContext,
): (level: IngestLogLevel, name: string, message: string, data?: Record<string, unknown>) => void {
  return (level, name, message, data) => context.reporter.emit({ name, level, message, data });
}

/** `qdbt ingest stream` and `qdbt ingest produce-sample`. */
export function registerStreamIngest(ingest: Command): void {
  ingest
    .command('stream')
    .description(
      'consume a Kafka topic and land its events in the lake exactly once, partitioned by event hour',
    )
    .requiredOption(
      '--source <source.table>',
      'the source table whose landing: block names the topic, e.g. app.events',
    )
    .option('--topic <topic>', "override the declaration's topic")
    .option('--group <id>', 'consumer group (default qdbt-ingest-<topic>)')
    .option(
      '--brokers <list>',
      "Kafka brokers, comma-separated (default: the target's kafka_brokers, else 127.0.0.1:9092)",
    )
    .option(
      '--lake-root <path>',
      "the lake's root folder in HDFS (default: the target's lake_root, else /lake)",
    )
    .option('--lake-path <path>', "override the declaration's lake folder")
    .option('--staging-schema <schema>', "override the staging table's schema (Hive database)")
    .option('--dead-letter-path <path>', 'where rejected events go (default <lake path>/_dead_letter)')
    .option('--roll-bytes <n>', "land a partition's open range at this many bytes", positive('--roll-bytes'))
    .option('--roll-records <n>', 'land it at this many events', positive('--roll-records'))
    .option('--roll-seconds <n>', 'land it after this many seconds', positive('--roll-seconds'))
    .option('--from-latest', 'with nothing committed or landed yet, start at the end of the topic')
    .option('--no-register', 'do not create the staging table nor register partitions in Hive')
    .option(
      '--stop-when-idle <seconds>',
      'stop (gracefully) after this long without new events',
      positive('--stop-when-idle'),
    )
    .option('--stats-every <seconds>', 'progress line interval', positive('--stats-every'), 10)
    .option(
      '--compression <codec>',
      'JSON lines as gzip (.jsonl.gz, read by Hive as is) or none (.jsonl); Parquet landings (file_format: parquet) always use Snappy inside the file',
      (value: string): StreamCompression => {
        if (value !== 'gzip' && value !== 'none')
          throw new QdbtError('usage', `--compression takes gzip or none, not '${value}'`);
        return value;
      },
      'gzip',
    )
    .action(async (flags: StreamFlags, command: Command) => {
      const context = contextFrom(command);
      const { options, reporter } = context;
      const project = loadProject(options);
      const target = project.target;
      const lakeRoot =
        flags.lakeRoot ?? (typeof target.extra.lake_root === 'string' ? target.extra.lake_root : '/lake');
      const found = findDeclaration(landingDeclarations(project.parsed.manifest, { lakeRoot }), flags.source);
      if (found.kind !== 'stream' || found.format !== 'json')
        throw new QdbtError(
          'usage',
          `${flags.source} is a ${found.kind} ${found.format} landing, not a JSON stream`,
          {
            hint: 'Use `qdbt ingest batch` for files.',
          },
        );
      const declaration = {
        ...found,
        topic: flags.topic ?? found.topic,
        lakePath: flags.lakePath ?? found.lakePath,
        stagingTable: { ...found.stagingTable, schema: flags.stagingSchema ?? found.stagingTable.schema },
      };
      const hdfs = streamWebHdfsClient(target, project.env);
      let adapter: Adapter | null = null;
      const log = logTo(context);
      if (flags.register) {
        adapter = await createAdapter(target, { threads: 1 });
        await ensureStagingTable(adapter, declaration);
      }
      const registering = adapter;
      const { StreamIngestor } = await import('../../ingest/stream/ingestor.js');
      const ingestor = new StreamIngestor({
        declaration,
        brokers: brokersOf(flags.brokers, target),
        groupId: flags.group ?? `qdbt-ingest-${declaration.topic}`,
        hdfs,
        registerFolder: registering
          ? (folder, location) =>
              registerPartition(registering, declaration, partitionValuesOf(folder), location)
          : undefined,
        roll: {
          ...(flags.rollBytes ? { maxBytes: flags.rollBytes } : {}),
          ...(flags.rollRecords ? { maxRecords: flags.rollRecords } : {}),
          ...(flags.rollSeconds ? { maxAgeMs: flags.rollSeconds * 1000 } : {}),
        },
        deadLetterDir: flags.deadLetterPath,
        compression: flags.compression,
        fromBeginning: !flags.fromLatest,
        log,
      });
      const started = performance.now();
      let stopping: Promise<void> | null = null;
      const stop = (why: string): Promise<void> => {
        if (!stopping) {
          reporter.emit({
            name: 'stream_stopping',
            level: 'info',
            message: `${why}: landing open ranges and committing`,
          });
          stopping = ingestor.stop();
        }
        return stopping;
      };
      const onSignal = (signal: NodeJS.Signals): void => void stop(signal);
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      reporter.emit({
        name: 'stream_starting',
        level: 'info',
        message: `Ingesting ${declaration.topic} into ${declaration.lakePath} (${declaration.stagingTable.schema}.${declaration.stagingTable.name})`,
      });
      await ingestor.start();
      let lastConsumed = -1;
      let lastStats = Date.now();
      const ticker = setInterval(() => {
        const s = ingestor.stats;
        if (s.consumed !== lastConsumed) {
          lastConsumed = s.consumed;
          ingestor.lastActivityAt = Date.now();
        }
        if (Date.now() - lastStats >= flags.statsEvery * 1000) {
          lastStats = Date.now();
          const seconds = (performance.now() - started) / 1000;
          reporter.emit({
            name: 'stream_progress',
            level: 'info',
            message: `consumed ${s.consumed} (${s.dead} rejected), landed ${s.eventsLanded} events in ${s.rangesLanded} ranges, ${Math.round(s.eventsLanded / seconds)} events/s`,
            data: { ...s },
          });
        }
        // Idle: partitions assigned, and nothing assigned, recovered or consumed for that long.
        if (
          flags.stopWhenIdle &&
          ingestor.assigned.length > 0 &&
          Date.now() - ingestor.lastActivityAt >= flags.stopWhenIdle * 1000
        )
          void stop(`No new events for ${flags.stopWhenIdle} s`);
      }, 250);
      try {
        await ingestor.wait();
      } finally {
        clearInterval(ticker);
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        hdfs.close();
        await adapter?.close().catch(() => undefined);
      }
      const s = ingestor.stats;
      const seconds = (performance.now() - started) / 1000;
      reporter.emit({
        name: 'stream_summary',
        level: 'info',
        message: `Stopped after ${seconds.toFixed(1)} s: landed ${s.eventsLanded} events and ${s.deadLanded} dead letters in ${s.rangesLanded} ranges (${s.filesLanded} files)`,
        data: { ...s, seconds },
      });
      exitSoon();
    });

  ingest
    .command('produce-sample')
    .description('send simulated Q Company app events (some malformed) to a Kafka topic')
    .requiredOption('--topic <topic>', 'the topic (created when missing)')
    .option(
      '--rate <n>',
      'events per second (0: as fast as Kafka takes them)',
      positive('--rate', true),
      1000,
    )
    .option('--count <n>', 'how many events', positive('--count'), 10_000)
    .option('--malformed <share>', 'share of malformed events, 0..1', share, 0.05)
    .option('--partitions <n>', 'partitions when the topic is created', positive('--partitions'), 3)
    .option('--seed <n>', 'random seed (the same seed sends the same events)', positive('--seed', true))
    .option('--spread-hours <n>', 'event times spread over the last N hours', positive('--spread-hours'), 1)
    .option('--brokers <list>', 'Kafka brokers, comma-separated')
    .action(async (flags: ProduceFlags, command: Command) => {
      const context = contextFrom(command);
      let target: HiveTarget | null = null;
      try {
        target = readProject(context.options).target;
      } catch {
        /* no project here: the defaults do */
      }
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      let lastReport = Date.now();
      const { produceSample } = await import('../../ingest/stream/producer.js');
      try {
        const result = await produceSample({
          brokers: brokersOf(flags.brokers, target),
          topic: flags.topic,
          rate: flags.rate,
          count: Math.floor(flags.count),
          malformedShare: flags.malformed,
          partitions: Math.floor(flags.partitions),
          seed: flags.seed,
          spreadHours: flags.spreadHours,
          signal: controller.signal,
          log: (line) => context.reporter.emit({ name: 'produce_retry', level: 'warn', message: line }),
          onProgress: (sent, malformed) => {
            if (Date.now() - lastReport < 5_000) return;
            lastReport = Date.now();
            context.reporter.emit({
              name: 'produce_progress',
              level: 'info',
              message: `sent ${sent} (${malformed} malformed)`,
            });
          },
        });
        context.reporter.emit({
          name: 'produce_summary',
          level: 'info',
          message: `Sent ${result.sent} events (${result.malformed} malformed, ${(result.bytes / result.sent).toFixed(0)} bytes each) to ${flags.topic} in ${result.seconds.toFixed(1)} s: ${Math.round(result.eventsPerSecond)} events/s`,
          data: { ...result },
        });
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      exitSoon();
    });
}

/**
 * kafkajs can leave a reconnect timer or socket behind when it is stopped while it reconnects
 * (seen after a broker restart): the process then never exits on its own. Everything is landed
 * and committed by now, so exit shortly even if a library still holds the event loop open.
 */
function exitSoon(): void {
  setTimeout(() => process.exit(), 2_000).unref();
}

/**
 * The Kafka stream ingestor: consumes a topic as a consumer group, validates JSON events, buffers
 * each Kafka partition's messages as an open range split by event hour, and lands ranges in the lake
 * exactly once (lake.ts, recovery.ts), committing Kafka offsets only after a range is durable.
 *
 * Concurrency: kafkajs never runs two batches of one partition at once. Landing a range is detached
 * from consumption (a per-partition chain, so ranges of a partition land in order) and consumption
 * waits only when a partition has too many ranges in flight. A landing that fails stops the chain;
 * the partition is recovered from the lake and consumption seeks back to where the lake ends.
 */
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import type { WebHdfsClient } from '../hdfs/webhdfs.js';
import type { LandingDeclaration } from '../landing/types.js';
import { compileEventSchema, validateEvent, validateEventValues, type EventSchema } from './events.js';
import { StreamLake, type StreamCompression } from './lake.js';
import { streamPaths, type StreamPaths } from './paths.js';
import {
  DEFAULT_ROLL_POLICY,
  OpenRange,
  rollReason,
  type FolderRows,
  type RollPolicy,
  type RollReason,
} from './range.js';
import { resumeOffset } from './recovery.js';

export type IngestLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type IngestLog = (
  level: IngestLogLevel,
  name: string,
  message: string,
  data?: Record<string, unknown>,
) => void;

export interface StreamIngestOptions {
  declaration: LandingDeclaration;
  brokers: string[];
  groupId: string;
  clientId?: string;
  hdfs: WebHdfsClient;
  /**
   * Registers an event-hour folder (`dt=.../hr=..`) as a partition of the staging table (when
   * missing), at `location`: `<lake>/<folder>`, or where compaction moved it.
   */
  registerFolder?: (folder: string, location: string) => Promise<void>;
  roll?: Partial<RollPolicy>;
  deadLetterDir?: string;
  /** Without committed offsets or landed ranges: start at the earliest message (default) or the latest. */
  fromBeginning?: boolean;
  /** Ranges of one partition being landed at once before consumption waits. Default 3. */
  maxInFlight?: number;
  sessionTimeoutMs?: number;
  /** JSON lines data files gzip-compressed (default) or plain; Parquet files (file_format: parquet) ignore it. */
  compression?: StreamCompression;
  log?: IngestLog;
}

export interface StreamStats {
  consumed: number;
  good: number;
  dead: number;
  skipped: number;
  rangesLanded: number;
  filesLanded: number;
  bytesLanded: number;
  eventsLanded: number;
  deadLanded: number;
  commitFailures: number;
  recoveries: number;
}

interface PartitionState {
  generation: number;
  ready: boolean;
  /** First offset not yet in the lake nor in the open range. */
  next: number;
  range: OpenRange<unknown>;
  /** Landings in order; each commits after it landed. */
  landing: Promise<void>;
  inFlight: number;
  failed: Error | null;
  seekedBack: boolean;
  /** First offset not landed by this state: its resume point, then each landed range's end + 1. */
  landedUpTo: number;
  /** The state this one replaces (a rebalance or a failed landing), until it is recovered. */
  previous: PartitionState | null;
}

export class StreamIngestor {
  readonly stats: StreamStats = {
    consumed: 0,
    good: 0,
    dead: 0,
    skipped: 0,
    rangesLanded: 0,
    filesLanded: 0,
    bytesLanded: 0,
    eventsLanded: 0,
    deadLanded: 0,
    commitFailures: 0,
    recoveries: 0,
  };
  readonly paths: StreamPaths;
  private readonly topic: string;
  private readonly schema: EventSchema;
  /** file_format: parquet — events are kept as typed values and land as Parquet files. */
  private readonly parquet: boolean;
  /** A new event-hour folder's rows: JSON lines, or Parquet once start() loaded its writer. */
  private newFolderRows: (() => FolderRows<unknown>) | undefined = undefined;
  private readonly policy: RollPolicy;
  private readonly lake: StreamLake;
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly log: IngestLog;
  private readonly states = new Map<number, PartitionState>();
  private readonly registering = new Map<string, Promise<void>>();
  /** Consecutive failed landings per partition (backoff before the next attempt). */
  private readonly failureStreak = new Map<number, number>();
  private generation = 0;
  /** When something last happened: an assignment, a partition recovered, a message consumed. */
  lastActivityAt = 0;
  /** Partitions assigned at the last rebalance. */
  assigned: number[] = [];
  private activeBatches = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private fatal: ((error: Error) => void) | null = null;
  private done: (() => void) | null = null;
  private finished: Promise<void> | null = null;

  constructor(private readonly options: StreamIngestOptions) {
    const topic = options.declaration.topic;
    if (!topic) throw new Error(`${options.declaration.uniqueId} declares no Kafka topic`);
    this.topic = topic;
    this.schema = compileEventSchema(options.declaration);
    this.parquet = options.declaration.fileFormat === 'parquet';
    this.policy = { ...DEFAULT_ROLL_POLICY, ...options.roll };
    this.log = options.log ?? (() => undefined);
    this.paths = streamPaths(options.declaration.lakePath, options.deadLetterDir);
    this.lake = new StreamLake(
      options.hdfs,
      this.paths,
      (line) => this.log('warn', 'hdfs_retry', line),
      options.compression ?? 'gzip',
      options.declaration.fileFormat,
    );
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'qdbt-ingest',
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 20, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
    this.consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      rebalanceTimeout: Math.max(sessionTimeout * 2, 20_000),
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 5)),
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      maxWaitTimeInMs: 500,
      retry: { retries: 20, initialRetryTime: 300, maxRetryTime: 5_000, restartOnFailure: async () => true },
    });
  }

  get topicName(): string {
    return this.topic;
  }

  /** Connects and consumes until stop() (resolves) or an unrecoverable error (rejects). */
  async start(): Promise<void> {
    if (this.parquet) {
      // Loaded only for Parquet landings: a WebAssembly binary of about 5 MB.
      const { ParquetRows, parquetColumn } = await import('./parquet.js');
      const columns = this.options.declaration.columns.map(parquetColumn);
      this.newFolderRows = () => new ParquetRows(columns);
    }
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (event) => {
      this.generation++;
      const assigned = (event.payload.memberAssignment[this.topic] ?? []) as number[];
      this.assigned = assigned;
      this.lastActivityAt = Date.now();
      this.log('info', 'stream_assigned', `Assigned ${this.topic} partitions [${assigned.join(', ')}]`, {
        partitions: assigned,
        generation: this.generation,
      });
    });
    this.consumer.on(CRASH, (event) => {
      const { error, restart } = event.payload;
      this.log(
        restart ? 'warn' : 'error',
        'stream_consumer_crash',
        `Kafka consumer failed${restart ? ', restarting' : ''}: ${error.message}`,
      );
      if (!restart) this.fatal?.(error);
    });
    this.finished = new Promise<void>((resolve, reject) => {
      this.fatal = reject;
      this.done = resolve;
    });
    this.finished.catch(() => undefined);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 8,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.timer = setInterval(() => this.rollByAge(), 250);
    this.timer.unref();
  }

  /** Resolves when the ingestor stopped, rejects on an unrecoverable consumer error. */
  wait(): Promise<void> {
    return this.finished ?? Promise.resolve();
  }

  private stateFor(partition: number, replace = false): PartitionState {
    let state = this.states.get(partition);
    if (!state || state.generation !== this.generation || replace) {
      const previous = state ?? null;
      state = {
        generation: this.generation,
        ready: false,
        next: -1,
        range: this.newRange(partition),
        // A new state waits for the previous one's landings before it recovers.
        landing: previous ? previous.landing.catch(() => undefined) : Promise.resolve(),
        inFlight: 0,
        failed: null,
        seekedBack: false,
        landedUpTo: -1,
        previous,
      };
      this.states.set(partition, state);
    }
    return state;
  }

  private async recover(state: PartitionState, partition: number, firstOffset: number): Promise<void> {
    await state.landing.catch(() => undefined);
    const { lastLandedEnd, undone } = await this.lake.recoverPartition(this.topic, partition);
    this.stats.recoveries++;
    // A fresh start trusts the fetch position (the committed offset) where it is past the lake.
    // A replaced state does not: the fetch position is wherever the previous one got to, and the
    // previous one knows where its landed data ends.
    const previous = state.previous;
    const resume =
      previous && previous.landedUpTo >= 0
        ? Math.max(lastLandedEnd + 1, previous.landedUpTo)
        : (resumeOffset(lastLandedEnd, firstOffset) ?? firstOffset);
    state.previous = null;
    this.lastActivityAt = Date.now();
    state.next = resume;
    state.landedUpTo = resume;
    state.ready = true;
    this.log(
      'info',
      'stream_partition_ready',
      `${this.topic}/${partition}: lake ends at ${lastLandedEnd}, resuming at ${resume}${undone ? ` (undid ${undone} unfinished range${undone > 1 ? 's' : ''})` : ''}`,
      {
        partition,
        lastLandedEnd,
        resume,
        undone,
      },
    );
    if (resume > firstOffset) await this.commit(partition, resume);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isStale, heartbeat } = payload;
    if (this.stopping || batch.isEmpty()) return;
    this.activeBatches++;
    try {
      const partition = batch.partition;
      let state = this.stateFor(partition);
      if (state.failed) {
        this.log(
          'warn',
          'stream_landing_failed',
          `${this.topic}/${partition}: landing failed (${state.failed.message}); recovering from the lake`,
        );
        const streak = (this.failureStreak.get(partition) ?? 0) + 1;
        this.failureStreak.set(partition, streak);
        const pause = Math.min(30_000, 500 * 2 ** (streak - 1));
        for (let waited = 0; waited < pause && !this.stopping; waited += 1_000) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, pause - waited)));
          await heartbeat().catch(() => undefined);
        }
        state = this.stateFor(partition, true);
        if (this.stopping) return;
      }
      const first = Number(batch.firstOffset());
      if (!state.ready) {
        await this.recover(state, partition, first);
        if (this.stopping || isStale()) return;
      }
      if (first > state.next && !state.seekedBack) {
        // After a rebalance or a failed landing the fetch position may be ahead of the lake: go back.
        state.seekedBack = true;
        this.consumer.seek({ topic: this.topic, partition, offset: String(state.next) });
        return;
      }
      const last = Number(batch.lastOffset());
      if (last < state.next) {
        this.stats.skipped += batch.messages.length;
        if (state.next - last > 10_000)
          this.consumer.seek({ topic: this.topic, partition, offset: String(state.next) });
        return;
      }
      const messages = batch.messages;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        const offset = Number(message.offset);
        if (offset < state.next) {
          this.stats.skipped++;
          continue;
        }
        this.take(state, partition, offset, message);
        state.next = offset + 1;
        if ((state.range.records & 1023) === 0) {
          const reason = rollReason(state.range, this.policy, Date.now());
          if (reason === 'size' || reason === 'records') this.roll(state, reason);
        }
      }
      const reason = rollReason(state.range, this.policy, Date.now());
      if (reason) this.roll(state, reason);
      const maxInFlight = this.options.maxInFlight ?? 3;
      while (state.inFlight >= maxInFlight && !state.failed) {
        await Promise.race([state.landing.catch(() => undefined), heartbeatSoon(heartbeat)]);
      }
      await heartbeat().catch(() => undefined);
    } finally {
      this.activeBatches--;
    }
  }

  private newRange(partition: number): OpenRange<unknown> {
    return new OpenRange<unknown>(this.topic, partition, this.newFolderRows);
  }

  private take(state: PartitionState, partition: number, offset: number, message: KafkaMessage): void {
    this.stats.consumed++;
    if ((this.stats.consumed & 255) === 0) this.lastActivityAt = Date.now();
    const now = Date.now();
    const result = this.parquet
      ? validateEventValues(this.schema, message.value, Number(message.timestamp))
      : validateEvent(this.schema, message.value, Number(message.timestamp));
    if (result.ok) {
      this.stats.good++;
      state.range.addGood(offset, result.partition, 'line' in result ? result.line : result.values, now);
    } else {
      this.stats.dead++;
      state.range.addDead(
        offset,
        {
          topic: this.topic,
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key ? message.key.toString('utf8') : null,
          reason: result.reason,
          value: message.value ? message.value.toString('utf8') : null,
        },
        now,
      );
    }
  }

  /** Detaches the open range and queues its landing (then its commit) on the partition's chain. */
  private roll(state: PartitionState, reason: RollReason): void {
    const range = state.range;
    if (range.empty) return;
    state.range = this.newRange(range.partition);
    state.inFlight++;
    const t0 = performance.now();
    // Temp files and the pending marker are written at once; publishing waits for the earlier ranges.
    const prepared = this.lake.prepareRange(range);
    prepared.catch(() => undefined);
    state.landing = state.landing.then(async () => {
      try {
        if (state.failed) {
          // An earlier range of this chain failed: this one must not land. Its temp files and
          // pending marker must be written before recovery runs (recovery waits for this chain).
          await prepared.catch(() => undefined);
          return;
        }
        const result = await this.lake.publishRange(await prepared, (folder, location) =>
          this.register(folder, location),
        );
        this.stats.rangesLanded++;
        this.stats.filesLanded += result.files;
        this.stats.bytesLanded += result.bytes;
        this.stats.eventsLanded += range.good;
        this.stats.deadLanded += range.dead.length;
        this.log(
          'debug',
          'stream_range_landed',
          `${this.topic}/${range.partition} [${range.start}..${range.end}] landed (${reason}): ${range.good} events, ${range.dead.length} dead letters, ${result.files} files in ${Math.round(performance.now() - t0)} ms`,
          {
            partition: range.partition,
            start: range.start,
            end: range.end,
            good: range.good,
            dead: range.dead.length,
            reason,
          },
        );
        state.landedUpTo = range.end + 1;
        this.failureStreak.delete(range.partition);
        await this.commit(range.partition, range.end + 1);
      } catch (error) {
        state.failed = error as Error;
        this.log(
          'error',
          'stream_landing_failed',
          `${this.topic}/${range.partition} [${range.start}..${range.end}] could not land: ${(error as Error).message}`,
        );
        // Fetch the range again, so the partition is recovered even when no new events arrive.
        if (!this.stopping && state.generation === this.generation) {
          try {
            this.consumer.seek({
              topic: this.topic,
              partition: range.partition,
              offset: String(state.landedUpTo),
            });
          } catch {
            /* not assigned any more: the next owner recovers it */
          }
        }
      } finally {
        state.inFlight--;
      }
    });
  }

  private rollByAge(): void {
    const now = Date.now();
    for (const state of this.states.values()) {
      if (state.generation !== this.generation || !state.ready || state.failed) continue;
      if (rollReason(state.range, this.policy, now) === 'age') this.roll(state, 'age');
    }
  }

  private register(folder: string, location: string): Promise<void> {
    const register = this.options.registerFolder;
    if (!register) return Promise.resolve();
    let promise = this.registering.get(folder);
    if (!promise) {
      promise = register(folder, location).then(
        () =>
          this.log(
            'info',
            'stream_partition_registered',
            `Registered partition ${folder} of ${this.options.declaration.stagingTable.schema}.${this.options.declaration.stagingTable.name}`,
          ),
        (error: unknown) => {
          this.registering.delete(folder);
          throw error;
        },
      );
      this.registering.set(folder, promise);
    }
    return promise;
  }

  /** Commits; a failure is harmless (the lake's markers decide where to resume) and only logged. */
  private async commit(partition: number, offset: number): Promise<void> {
    try {
      await this.consumer.commitOffsets([{ topic: this.topic, partition, offset: String(offset) }]);
    } catch (error) {
      this.stats.commitFailures++;
      this.log(
        'warn',
        'stream_commit_failed',
        `${this.topic}/${partition}: commit of ${offset} failed (the lake holds the range; it will be skipped on resume): ${(error as Error).message}`,
      );
    }
  }

  /** Graceful stop: land every open range, commit, leave the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    try {
      this.consumer.pause([{ topic: this.topic }]);
    } catch {
      /* not running */
    }
    while (this.activeBatches > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const state of this.states.values())
      if (state.generation === this.generation && state.ready && !state.failed) this.roll(state, 'shutdown');
    await Promise.all([...this.states.values()].map((s) => s.landing.catch(() => undefined)));
    await this.consumer.disconnect().catch(() => undefined);
    this.fatal = null;
    this.done?.();
  }
}

function heartbeatSoon(heartbeat: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => heartbeat().catch(() => undefined));
}

/**
 * `qdbt ingest produce-sample`: sends simulated app events to a topic at a rate, resending a batch
 * whose send failed (a broker restart makes an in-flight send reject after its retries).
 *
 * The producer is idempotent: each batch carries the producer's id and per-partition sequence
 * numbers, and the broker drops a batch it already holds. A send whose acknowledgement was lost
 * (the broker wrote it, then restarted) and that kafkajs or sendWithRetry sends again does not
 * leave its events twice in the topic. kafkajs gives a failed batch's sequence numbers back, so
 * the resend must be the next batch sent: batches are sent one at a time (the next one is generated
 * meanwhile), and kafkajs keeps one request in flight per broker.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { SampleGenerator, type SampleOptions } from './sample.js';

export interface ProduceOptions extends SampleOptions {
  brokers: string[];
  topic: string;
  /** Events per second; 0 sends as fast as Kafka takes them. */
  rate: number;
  count: number;
  /** Partitions of the topic when it has to be created. Default 3. */
  partitions?: number;
  /** Called after each acknowledged batch. */
  onProgress?: (sent: number, malformed: number) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Receives every sent event (tests keep the ids of the good ones). */
  onEvent?: (eventId: string, malformed: string | null, value: string) => void;
}

export interface ProduceResult {
  sent: number;
  malformed: number;
  seconds: number;
  eventsPerSecond: number;
  bytes: number;
  resends: number;
}

/** Creates the topic if missing (auto-creation is off on the local broker). */
export async function ensureTopic(brokers: string[], topic: string, partitions = 3): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'qdbt-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(topic)) return false;
    return await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function sendWithRetry(
  producer: Producer,
  topic: string,
  messages: Array<{ key: string; value: string }>,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  let resends = 0;
  for (;;) {
    try {
      await producer.send({ topic, messages, acks: -1 });
      return resends;
    } catch (error) {
      if (signal?.aborted || resends >= 30) throw error;
      resends++;
      log(`send of ${messages.length} events failed (${(error as Error).message}); resending`);
      await sleep(1_000);
    }
  }
}

export async function produceSample(options: ProduceOptions): Promise<ProduceResult> {
  const log = options.log ?? (() => undefined);
  await ensureTopic(options.brokers, options.topic, options.partitions ?? 3);
  const kafka = new Kafka({
    clientId: 'qdbt-produce-sample',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const generator = new SampleGenerator(options);
  const started = performance.now();
  let sent = 0;
  let malformed = 0;
  let bytes = 0;
  let resends = 0;
  const batchSize = options.rate > 0 ? Math.max(1, Math.min(5_000, Math.ceil(options.rate / 20))) : 2_000;
  /** The batch being sent (--rate 0): awaited before the next one is sent. */
  let sending: Promise<void> = Promise.resolve();
  try {
    while (sent < options.count && !options.signal?.aborted) {
      const size = Math.min(batchSize, options.count - sent);
      const messages: Array<{ key: string; value: string }> = [];
      for (let i = 0; i < size; i++) {
        const event = generator.next();
        if (event.malformed) malformed++;
        bytes += event.value.length;
        options.onEvent?.(event.eventId, event.malformed, event.value);
        messages.push({ key: event.key, value: event.value });
      }
      sent += size;
      if (options.rate > 0) {
        await sendWithRetry(producer, options.topic, messages, log, options.signal).then(
          (r) => void (resends += r),
        );
        options.onProgress?.(sent, malformed);
        const due = started + (sent / options.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      } else {
        await sending;
        sending = sendWithRetry(producer, options.topic, messages, log, options.signal).then((r) => {
          resends += r;
        });
        // Awaited above or below; this only keeps a failure from counting as unhandled meanwhile.
        sending.catch(() => undefined);
        options.onProgress?.(sent, malformed);
      }
    }
    await sending;
  } finally {
    await producer.disconnect();
  }
  const seconds = (performance.now() - started) / 1000;
  return { sent, malformed, seconds, eventsPerSecond: sent / seconds, bytes, resends };
}

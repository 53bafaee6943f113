import { describe, expect, inject, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';

const stack = inject('stack');

describe('Kafka (KRaft) through kafkajs', () => {
  it('produces and consumes', async () => {
    const kafka = new Kafka({
      clientId: 'qdbt-it',
      brokers: [stack.kafkaBroker],
      logLevel: logLevel.NOTHING,
    });
    const topic = `qdbt-it-${process.pid}-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 7}`, value: JSON.stringify({ i }) }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}-g` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${seen.length} of 100 messages after 60 s`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push((JSON.parse(message.value!.toString()) as { i: number }).i);
          if (seen.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(seen.sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });
});

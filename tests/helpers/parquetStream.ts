/**
 * A fixture project whose `app.events` stream lands Parquet (`file_format: parquet`), with typed
 * columns beyond the sample events' (decimal, date, int, double, boolean), and events that fill
 * them with values whose exact read-back proves the types.
 */
import { hiveTimestamp } from '../../src/ingest/stream/events.js';
import { writeFixture } from './fixtureProject.js';
import { profiles } from './engines.js';

export const PARQUET_SOURCES = `version: 2
sources:
  - name: app
    schema: qcompany_raw
    tables:
      - name: events
        landing:
          kind: stream
          topic: app.events
          format: json
          file_format: parquet
          columns:
            - { name: event_id, type: string, required: true, aliases: [eventid] }
            - { name: event_type, type: string, required: true, aliases: [eventtype] }
            - { name: event_timestamp, type: timestamp, required: true, aliases: [timestamp, eventtime] }
            - { name: customer_id, type: bigint, aliases: [customerid] }
            - { name: session_id, type: string, aliases: [sessionid] }
            - { name: product_id, type: string, aliases: [productid] }
            - { name: metadata, type: string }
            - { name: amount, type: 'decimal(20,4)' }
            - { name: event_date, type: date }
            - { name: quantity, type: int }
            - { name: ratio, type: double }
            - { name: is_test, type: boolean }
          partition_by: { event_time: event_timestamp }
`;

/** The fixture project (Hive on `hivePort`, the stack's WebHDFS); remove it with cleanup(). */
export function parquetStreamProject(hivePort: number, schema: string): { dir: string; cleanup: () => void } {
  return writeFixture({
    'profiles.yml': profiles({ name: 'hive', port: hivePort }, schema),
    'models/sources.yml': PARQUET_SOURCES,
  });
}

export interface TypedEvent {
  value: string;
  /** What Hive returns for `typedColumnsSql`: id, bigint, decimal text, timestamp text, date text, int, double, boolean. */
  expected: unknown[];
}

/** Hive's text of a timestamp: `yyyy-MM-dd HH:mm:ss[.fff]`, trailing zeros of the fraction dropped. */
function hiveTimestampText(ms: number): string {
  return hiveTimestamp(ms).replace(/\.?0+$/, '');
}

/**
 * `count` events with ids `s<seed>-<n>` (the numbering the stream tests sum), in the hour from
 * `startMs`: bigints past 2^53 sent as digits, decimals with 16 integer and 4 fraction digits sent as
 * text, millisecond timestamps, dates, ints, doubles, booleans, some left null.
 */
export function typedEvents(seed: number, count: number, startMs: number): TypedEvent[] {
  return Array.from({ length: count }, (_, n) => {
    const id = `s${seed}-${n}`;
    const ms = startMs + n * 997 + (n % 7);
    const customer = 9_007_199_254_740_993n + BigInt(n) * 1_000_003n;
    const amount = `${n % 2 ? '-' : ''}${1_234_567_890_123_456n + BigInt(n)}.${String(n * 37)
      .padStart(4, '0')
      .slice(-4)}`;
    const day = `2024-02-${String((n % 29) + 1).padStart(2, '0')}`;
    const nulls = n % 10 === 9;
    const event = {
      event_id: id,
      event_type: 'purchase',
      timestamp: new Date(ms).toISOString(),
      customer_id: customer.toString(),
      amount: nulls ? null : amount,
      event_date: nulls ? null : day,
      quantity: nulls ? null : -1_000_000 + n,
      ratio: nulls ? null : n / 8,
      is_test: nulls ? null : n % 3 === 0,
    };
    return {
      value: JSON.stringify(event),
      expected: [
        id,
        customer,
        nulls ? null : amount,
        hiveTimestampText(ms),
        nulls ? null : day,
        nulls ? null : -1_000_000 + n,
        nulls ? null : n / 8,
        nulls ? null : n % 3 === 0,
      ],
    };
  });
}

/** The typed columns of events `s<seed>-*`, as typedEvents() expects them back. */
export function typedColumnsSql(table: string, seed: number): string {
  return `SELECT event_id, customer_id, cast(amount AS string), cast(event_timestamp AS string), cast(event_date AS string), quantity, ratio, is_test FROM ${table} WHERE event_id LIKE 's${seed}-%'`;
}

import { describe, expect, it } from 'vitest';
import {
  compileEventSchema,
  hiveTimestamp,
  hourPartition,
  parseTime,
  validateEvent,
} from '../../../../src/ingest/stream/events.js';
import { eventsDeclaration } from './declaration.js';

const schema = compileEventSchema(eventsDeclaration());
const good = {
  event_id: 'e1',
  event_type: 'purchase',
  timestamp: '2024-05-01T13:45:10.250Z',
  customer_id: 42,
  product_id: 'P00001',
  metadata: { quantity: 2, total_amount: 19.5 },
};
const check = (value: unknown) => validateEvent(schema, JSON.stringify(value), 0);

describe('validateEvent', () => {
  it('maps aliases to canonical names, routes by event hour, writes Hive timestamps', () => {
    const result = check(good);
    expect(result).toEqual({
      ok: true,
      partition: 'dt=2024-05-01/hr=13',
      line: JSON.stringify({
        event_id: 'e1',
        event_type: 'purchase',
        event_timestamp: '2024-05-01 13:45:10.250',
        customer_id: 42,
        session_id: null,
        product_id: 'P00001',
        metadata: '{"quantity":2,"total_amount":19.5}',
        amount: null,
        flag: null,
      }),
    });
  });

  it('matches names case-insensitively and ignores unknown fields', () => {
    const result = validateEvent(
      schema,
      Buffer.from(
        JSON.stringify({ EventId: 'x', EVENTTYPE: 'productView', eventTime: 1714571110000, extra: 1 }),
      ),
      0,
    );
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(JSON.parse(result.line)).toMatchObject({ event_id: 'x', event_type: 'productView' });
      expect(result.partition).toBe('dt=2024-05-01/hr=13');
    }
  });

  it('rejects what is not JSON, not an object, or empty', () => {
    expect(validateEvent(schema, '{"event_id": "e1", "ev', 0)).toMatchObject({
      ok: false,
      reason: /not JSON/,
    });
    expect(check([1, 2])).toMatchObject({ ok: false, reason: /not a JSON object/ });
    expect(validateEvent(schema, null, 0)).toEqual({ ok: false, reason: 'empty message' });
  });

  it('rejects missing required fields', () => {
    const { event_type: _drop, ...rest } = good;
    expect(check(rest)).toEqual({ ok: false, reason: "missing required field 'event_type'" });
    expect(check({ ...good, timestamp: null })).toMatchObject({ ok: false, reason: /event_timestamp/ });
  });

  it('rejects wrong types', () => {
    expect(check({ ...good, customer_id: 'cust-42' })).toMatchObject({
      ok: false,
      reason: /customer_id.*whole number/,
    });
    expect(check({ ...good, event_type: ['purchase'] })).toMatchObject({
      ok: false,
      reason: /event_type.*string/,
    });
    expect(check({ ...good, timestamp: 'yesterday' })).toMatchObject({
      ok: false,
      reason: /not a timestamp/,
    });
    expect(check({ ...good, amount: 'lots' })).toMatchObject({ ok: false, reason: /amount.*number/ });
    expect(check({ ...good, amount: 12345.5 })).toMatchObject({ ok: false, reason: /does not fit/ });
    expect(check({ ...good, flag: 'yes' })).toMatchObject({ ok: false, reason: /true or false/ });
  });

  it('accepts numeric strings for numbers and digits for bigint', () => {
    const result = check({ ...good, customer_id: '42', amount: '12.50', flag: 'true' });
    expect(result.ok && JSON.parse(result.line)).toMatchObject({ customer_id: 42, amount: 12.5, flag: true });
  });

  it('rejects impossible dates on the fast path too', () => {
    expect(check({ ...good, timestamp: '2024-13-01T00:00:00.000Z' })).toMatchObject({ ok: false });
    expect(check({ ...good, timestamp: '2024-02-01T25:00:00.000Z' })).toMatchObject({ ok: false });
  });

  it('routes by an epoch-millisecond event-time column', () => {
    const declaration = eventsDeclaration();
    declaration.columns.push({ name: 'sent_at', type: 'bigint', required: true, aliases: [] });
    const s = compileEventSchema({ ...declaration, partitioning: { kind: 'event_time', field: 'sent_at' } });
    const result = validateEvent(s, JSON.stringify({ ...good, sent_at: Date.UTC(2024, 6, 4, 22, 30) }), 0);
    expect(result.ok && result.partition).toBe('dt=2024-07-04/hr=22');
    expect(validateEvent(s, JSON.stringify({ ...good, sent_at: -5 }), 0)).toMatchObject({ ok: false });
  });

  it('places events by the Kafka timestamp under ingestion-time partitioning', () => {
    const s = compileEventSchema({ ...eventsDeclaration(), partitioning: { kind: 'ingestion_time' } });
    const result = validateEvent(s, JSON.stringify(good), Date.UTC(2024, 0, 2, 3));
    expect(result.ok && result.partition).toBe('dt=2024-01-02/hr=03');
  });
});

describe('time helpers', () => {
  it('parses ISO text, zone-less text as UTC, and epoch millis', () => {
    expect(parseTime('2024-05-01T13:00:00Z')).toBe(Date.UTC(2024, 4, 1, 13));
    expect(parseTime('2024-05-01 13:00:00')).toBe(Date.UTC(2024, 4, 1, 13));
    expect(parseTime('2024-05-01T15:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 13));
    expect(parseTime(Date.UTC(2024, 4, 1, 13))).toBe(Date.UTC(2024, 4, 1, 13));
    expect(parseTime('1714568400000')).toBe(Date.UTC(2024, 4, 1, 13));
    expect(parseTime('May 1st')).toBeNull();
    expect(parseTime(true)).toBeNull();
  });

  it('formats Hive timestamps and hour folders in UTC', () => {
    expect(hiveTimestamp(Date.UTC(2024, 0, 5, 7, 8, 9, 5))).toBe('2024-01-05 07:08:09.005');
    expect(hourPartition(Date.UTC(2024, 0, 5, 7, 59))).toBe('dt=2024-01-05/hr=07');
  });
});

import { describe, expect, it } from 'vitest';
import { compileEventSchema, validateEvent } from '../../../../src/ingest/stream/events.js';
import { EVENT_TYPES, SampleGenerator } from '../../../../src/ingest/stream/sample.js';
import { eventsDeclaration } from './declaration.js';

describe('SampleGenerator', () => {
  it('is deterministic for a seed', () => {
    const a = new SampleGenerator({ seed: 5, startTimeMs: 0 });
    const b = new SampleGenerator({ seed: 5, startTimeMs: 0 });
    expect(Array.from({ length: 50 }, () => a.next())).toEqual(Array.from({ length: 50 }, () => b.next()));
  });

  it('sends all four event types of about 300 bytes, with per-type fields', () => {
    const generator = new SampleGenerator({ seed: 1, malformedShare: 0 });
    const events = Array.from({ length: 2000 }, () => generator.next());
    const parsed = events.map((e) => JSON.parse(e.value) as Record<string, Record<string, unknown>>);
    expect(new Set(parsed.map((e) => e.event_type))).toEqual(new Set(EVENT_TYPES));
    const purchase = parsed.find((e) => (e.event_type as unknown) === 'purchase')!;
    expect(purchase.metadata).toMatchObject({
      quantity: expect.any(Number),
      payment_method: expect.any(String),
    });
    expect(purchase.metadata!.total_amount).toBeGreaterThan(0);
    const click = parsed.find((e) => (e.event_type as unknown) === 'recommendationClick')!;
    expect(click.metadata!.recommendation_algorithm).toEqual(expect.any(String));
    const average = events.reduce((n, e) => n + e.value.length, 0) / events.length;
    expect(average).toBeGreaterThan(250);
    expect(average).toBeLessThan(350);
  });

  it('makes the configured share malformed, and the validator rejects exactly those', () => {
    const schema = compileEventSchema(eventsDeclaration());
    const generator = new SampleGenerator({ seed: 9, malformedShare: 0.2 });
    const events = Array.from({ length: 5000 }, () => generator.next());
    const bad = events.filter((e) => e.malformed);
    expect(bad.length / events.length).toBeGreaterThan(0.17);
    expect(bad.length / events.length).toBeLessThan(0.23);
    expect(new Set(bad.map((e) => e.malformed))).toEqual(
      new Set(['not_json', 'missing_field', 'wrong_type', 'bad_timestamp']),
    );
    for (const event of events)
      expect(validateEvent(schema, event.value, 0).ok).toBe(event.malformed === null);
  });
});

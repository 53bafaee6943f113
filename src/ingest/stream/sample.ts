/**
 * The Q Company app, simulated: `productView`, `addToCart`, `purchase` and `recommendationClick`
 * events as the app sends them to Kafka, with a configurable share of malformed ones (not JSON,
 * a required field missing, a wrong type). Deterministic for a seed, so tests know what was sent.
 */
export const EVENT_TYPES = ['productView', 'addToCart', 'purchase', 'recommendationClick'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type MalformedKind = 'not_json' | 'missing_field' | 'wrong_type' | 'bad_timestamp';
const MALFORMED_KINDS: MalformedKind[] = ['not_json', 'missing_field', 'wrong_type', 'bad_timestamp'];

const CATEGORIES = ['electronics', 'home', 'fashion', 'beauty', 'sports', 'toys', 'books', 'grocery'];
const PAYMENT_METHODS = ['credit_card', 'debit_card', 'paypal', 'cash_on_delivery', 'wallet'];
const ALGORITHMS = ['collaborative_filtering', 'content_based', 'trending', 'frequently_bought_together'];
const DEVICES = ['ios', 'android', 'web'];
const COUNTRIES = ['EG', 'SA', 'AE', 'KW', 'QA'];

export interface SampleOptions {
  /** PRNG seed; the same seed gives the same events. */
  seed?: number;
  /** Share of malformed events, 0..1. Default 0.05. */
  malformedShare?: number;
  /** Event times start here (ms). Default: now, minus the spread. */
  startTimeMs?: number;
  /** Event times spread over this many hours (more event-hour partitions). Default 1. */
  spreadHours?: number;
  /** Prefix of event ids, to tell runs apart. */
  idPrefix?: string;
}

export interface SampleEvent {
  key: string;
  value: string;
  eventId: string;
  /** null for a good event. */
  malformed: MalformedKind | null;
}

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SampleGenerator {
  private readonly random: () => number;
  private readonly malformedShare: number;
  private readonly start: number;
  private readonly spreadMs: number;
  private readonly idPrefix: string;
  private n = 0;

  constructor(options: SampleOptions = {}) {
    const seed = options.seed ?? Date.now() % 2 ** 31;
    this.random = prng(seed);
    this.malformedShare = options.malformedShare ?? 0.05;
    this.spreadMs = Math.max(1, options.spreadHours ?? 1) * 3_600_000;
    this.start = options.startTimeMs ?? Date.now() - this.spreadMs;
    this.idPrefix = options.idPrefix ?? `s${seed.toString(36)}`;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** A good event as the app sends it. */
  event(): Record<string, unknown> {
    const n = this.n++;
    const type = this.pick(EVENT_TYPES);
    const customerId = this.int(1, 50_000);
    const productId = this.int(1, 5_000);
    const timestamp = new Date(this.start + Math.floor(this.random() * this.spreadMs)).toISOString();
    const metadata: Record<string, unknown> = {
      device: this.pick(DEVICES),
      app_version: `4.${this.int(0, 12)}.${this.int(0, 30)}`,
      country: this.pick(COUNTRIES),
    };
    const event: Record<string, unknown> = {
      event_id: `${this.idPrefix}-${n}`,
      event_type: type,
      customer_id: customerId,
      product_id: `P${String(productId).padStart(5, '0')}`,
      timestamp,
      session_id: `sess-${customerId.toString(36)}-${this.int(1, 9_999)}`,
      metadata,
    };
    switch (type) {
      case 'productView':
        metadata.category = this.pick(CATEGORIES);
        metadata.view_seconds = this.int(1, 600);
        metadata.referrer = this.pick(['search', 'home', 'category', 'campaign']);
        break;
      case 'addToCart':
        metadata.quantity = this.int(1, 5);
        metadata.unit_price = this.int(100, 500_000) / 100;
        metadata.category = this.pick(CATEGORIES);
        break;
      case 'purchase': {
        const quantity = this.int(1, 5);
        const unitPrice = this.int(100, 500_000) / 100;
        metadata.quantity = quantity;
        metadata.unit_price = unitPrice;
        metadata.total_amount = Math.round(quantity * unitPrice * 100) / 100;
        metadata.payment_method = this.pick(PAYMENT_METHODS);
        metadata.order_id = `ord-${this.idPrefix}-${n}`;
        break;
      }
      case 'recommendationClick':
        metadata.recommendation_algorithm = this.pick(ALGORITHMS);
        metadata.recommendation_rank = this.int(1, 20);
        metadata.source_product_id = `P${String(this.int(1, 5_000)).padStart(5, '0')}`;
        break;
    }
    return event;
  }

  next(): SampleEvent {
    const event = this.event();
    const eventId = event.event_id as string;
    const key = String(event.customer_id);
    if (this.random() >= this.malformedShare)
      return { key, value: JSON.stringify(event), eventId, malformed: null };
    const kind = this.pick(MALFORMED_KINDS);
    switch (kind) {
      case 'not_json': {
        const text = JSON.stringify(event);
        return { key, value: text.slice(0, Math.floor(text.length / 2)), eventId, malformed: kind };
      }
      case 'missing_field':
        delete event[this.pick(['event_id', 'event_type', 'timestamp'])];
        break;
      case 'wrong_type':
        if (this.random() < 0.5) event.customer_id = `cust-${String(event.customer_id)}`;
        else event.event_type = ['purchase'];
        break;
      case 'bad_timestamp':
        event.timestamp = 'yesterday afternoon';
        break;
    }
    return { key, value: JSON.stringify(event), eventId, malformed: kind };
  }
}

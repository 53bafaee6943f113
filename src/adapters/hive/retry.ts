/** Retry with exponential backoff and jitter, for transient HiveServer2 failures. */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { CancelledError, isTransient } from './errors.js';

export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  baseMs?: number;
  /** Largest delay. Default 10 s. */
  maxMs?: number;
  /** Random share of each delay, 0..1 (spreads the reconnects of several threads). Default 0.2. */
  jitter?: number;
}

/** Delay before retry number `attempt` (1-based): base, 2x, 4x ... capped, with jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 10_000;
  const jitter = options.jitter ?? 0.2;
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (1 - jitter + jitter * random()));
}

export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt (HiveTarget.retries). 0 means try once. */
  retries: number;
  isTransient?: (error: unknown) => boolean;
  /** Told before each wait. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** Runs `fn` (given the attempt number, 1-based) until it succeeds or fails for good. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const transient = options.isTransient ?? isTransient;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw asCancelled(error);
      if (attempt > options.retries || !transient(error)) throw error;
      const delay = backoffDelay(attempt, options, options.random);
      options.onRetry?.(error, attempt, delay);
      try {
        await sleep(delay, options.signal);
      } catch {
        throw asCancelled(error);
      }
    }
  }
}

function asCancelled(error: unknown): unknown {
  return error instanceof CancelledError ? error : new CancelledError('Cancelled');
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, signal ? { signal } : undefined);
}

import { describe, expect, it } from 'vitest';
import {
  ConnectionLostError,
  HiveStatementError,
  CancelledError,
} from '../../../src/adapters/hive/errors.js';
import { backoffDelay, withRetry } from '../../../src/adapters/hive/retry.js';
import { pollDelay } from '../../../src/adapters/hive/session.js';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap (no jitter)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((a) =>
      backoffDelay(a, { baseMs: 500, maxMs: 10_000, jitter: 0 }),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('jitter shortens by at most its share', () => {
    expect(backoffDelay(2, { baseMs: 500, jitter: 0.2 }, () => 0)).toBe(800);
    expect(backoffDelay(2, { baseMs: 500, jitter: 0.2 }, () => 1)).toBe(1000);
  });
});

describe('pollDelay', () => {
  it('polls at once first (long polling waits on the server), then backs off to 1 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(pollDelay)).toEqual([
      0, 0, 25, 50, 100, 200, 400, 800, 1000, 1000,
    ]);
  });
});

describe('withRetry', () => {
  const noSleep = { sleep: async () => undefined, jitter: 0 };

  it('retries transient failures up to `retries` times, with growing delays', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new ConnectionLostError('reset');
        return 'ok';
      },
      { retries: 3, baseMs: 100, ...noSleep, onRetry: (_, __, delay) => waits.push(delay) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after `retries` retries with the last error', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new ConnectionLostError(`reset ${calls}`);
      },
      { retries: 2, ...noSleep },
    );
    await expect(failing).rejects.toThrow('reset 3');
    expect(calls).toBe(3);
  });

  it('fails at once on a semantic error', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new HiveStatementError(
          "Error while compiling statement: FAILED: SemanticException Table not found 'x'",
        );
      },
      { retries: 5, ...noSleep },
    );
    await expect(failing).rejects.toThrow(/SemanticException/);
    expect(calls).toBe(1);
  });

  it('retries: 0 tries once', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new ConnectionLostError('reset');
        },
        { retries: 0, ...noSleep },
      ),
    ).rejects.toThrow('reset');
    expect(calls).toBe(1);
  });

  it('an abort during the wait ends with a cancel error, not another attempt', async () => {
    const controller = new AbortController();
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new ConnectionLostError('reset');
      },
      { retries: 5, baseMs: 60_000, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(failing).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import type { NodeOutcome } from '../../../src/materialize/types.js';
import type { RunPlan } from '../../../src/runner/plan.js';
import { Scheduler } from '../../../src/runner/scheduler.js';
import { exitCodeFor, type SchedulerEvent } from '../../../src/runner/types.js';

const ok: NodeOutcome = {
  status: 'success',
  message: 'OK',
  rowsAffected: null,
  failures: null,
  adapterResponse: {},
};

/** A plan from `child: [parents]`, ordered as written (parents must come first). */
function plan(edges: Record<string, string[]>): RunPlan {
  return { order: Object.keys(edges), parents: new Map(Object.entries(edges)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Scheduler', () => {
  it('runs independent nodes in parallel, up to exactly N at once', async () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 12; i++) edges[`m${String(i).padStart(2, '0')}`] = [];
    let running = 0;
    let peak = 0;
    const scheduler = new Scheduler(
      plan(edges),
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(15);
        running--;
        return ok;
      },
      { threads: 4 },
    );
    const results = await scheduler.run();
    expect(results).toHaveLength(12);
    expect(peak).toBe(4);
    expect(scheduler.peakParallelism).toBe(4);
    expect(new Set(results.map((r) => r.threadId))).toEqual(
      new Set(['Thread-1', 'Thread-2', 'Thread-3', 'Thread-4']),
    );
  });

  it('starts a child only after all its parents finished', async () => {
    const finished: string[] = [];
    const startedAfter = new Map<string, string[]>();
    const scheduler = new Scheduler(
      plan({ a: [], b: [], c: ['a', 'b'], d: ['c'] }),
      async (id) => {
        startedAfter.set(id, [...finished]);
        await sleep(id === 'a' ? 20 : 5);
        finished.push(id);
        return ok;
      },
      { threads: 8 },
    );
    await scheduler.run();
    expect(startedAfter.get('c')!.sort()).toEqual(['a', 'b']);
    expect(startedAfter.get('d')).toContain('c');
    expect(finished.at(-1)).toBe('d');
  });

  it('skips the descendants of a failure and still runs independent branches', async () => {
    const ran: string[] = [];
    const scheduler = new Scheduler(
      plan({ a: [], b: [], a1: ['a'], a2: ['a1'], b1: ['b'], ab: ['a', 'b'] }),
      async (id) => {
        ran.push(id);
        if (id === 'a') throw new Error('Table not found: raw.a');
        return ok;
      },
      { threads: 2 },
    );
    const results = await scheduler.run();
    const status = Object.fromEntries(results.map((r) => [r.uniqueId, r.status]));
    expect(status).toEqual({
      a: 'error',
      b: 'success',
      a1: 'skipped',
      a2: 'skipped',
      b1: 'success',
      ab: 'skipped',
    });
    expect(ran.sort()).toEqual(['a', 'b', 'b1']);
    const a = results.find((r) => r.uniqueId === 'a')!;
    expect(a.message).toBe('Table not found: raw.a');
    expect(results.find((r) => r.uniqueId === 'a2')!.skippedBecause).toBe('a');
    expect(exitCodeFor(results)).toBe(1);
  });

  it('treats a failed test as blocking only if the blocks() rule says so', async () => {
    const testFail: NodeOutcome = {
      status: 'fail',
      message: 'FAIL 3',
      rowsAffected: null,
      failures: 3,
      adapterResponse: {},
    };
    const warnTest: NodeOutcome = {
      status: 'warn',
      message: 'WARN 2',
      rowsAffected: null,
      failures: 2,
      adapterResponse: {},
    };
    const scheduler = new Scheduler(
      plan({ m: [], t_err: ['m'], t_warn: ['m'], child: ['m', 't_err'], other: ['m', 't_warn'] }),
      async (id) => (id === 't_err' ? testFail : id === 't_warn' ? warnTest : ok),
      { threads: 1 },
    );
    const results = await scheduler.run();
    const status = Object.fromEntries(results.map((r) => [r.uniqueId, r.status]));
    expect(status).toEqual({
      m: 'success',
      t_err: 'fail',
      t_warn: 'warn',
      child: 'skipped',
      other: 'success',
    });
  });

  it('reports start and finish in a deterministic order with 1 thread, numbering as dbt does', async () => {
    const events: SchedulerEvent[] = [];
    const scheduler = new Scheduler(
      plan({ a: [], c: [], b: ['a'], d: ['b'] }),
      async (id) => {
        if (id === 'b') throw new Error('boom');
        return ok;
      },
      { threads: 1, onEvent: (e) => events.push(e) },
    );
    await scheduler.run();
    expect(events.map((e) => `${e.index}/${e.total} ${e.kind} ${e.uniqueId}`)).toEqual([
      '1/4 start a',
      '1/4 finish a',
      '2/4 start c',
      '2/4 finish c',
      '3/4 start b',
      '3/4 finish b',
      '4/4 skip d',
    ]);
  });

  it('--fail-fast stops at the first failure: aborts running nodes, skips the rest, cancels on the server', async () => {
    const aborted: string[] = [];
    let cancelCalls = 0;
    const scheduler = new Scheduler(
      plan({ bad: [], slow: [], later1: [], later2: [], after: ['slow'] }),
      (id, signal) =>
        new Promise<NodeOutcome>((resolve, reject) => {
          if (id === 'bad') return setTimeout(() => reject(new Error('syntax error')), 5);
          const timer = setTimeout(() => resolve(ok), 1000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            aborted.push(id);
            reject(signal.reason);
          });
        }),
      { threads: 2, failFast: true, onCancel: () => void cancelCalls++ },
    );
    const results = await scheduler.run();
    // 'slow' would resolve as success after 1 s; being aborted shows fail-fast did not wait for it.
    const status = Object.fromEntries(results.map((r) => [r.uniqueId, r.status]));
    expect(status).toEqual({
      bad: 'error',
      slow: 'error',
      later1: 'skipped',
      later2: 'skipped',
      after: 'skipped',
    });
    expect(aborted).toEqual(['slow']);
    expect(cancelCalls).toBe(1);
    expect(results.find((r) => r.uniqueId === 'slow')!.message).toContain('Cancelled');
    expect(scheduler.cancelled).toContain('--fail-fast');
  });

  it('cancel() aborts every running node and skips what has not started', async () => {
    const signals = new Map<string, AbortSignal>();
    const scheduler = new Scheduler(
      plan({ a: [], b: [], c: [], d: ['a'] }),
      (id, signal) =>
        new Promise<NodeOutcome>((_resolve, reject) => {
          signals.set(id, signal);
          signal.addEventListener('abort', () => reject(new Error('operation cancelled')));
        }),
      { threads: 2 },
    );
    const done = scheduler.run();
    await sleep(10);
    expect([...signals.keys()]).toEqual(['a', 'b']);
    scheduler.cancel('SIGINT received');
    const results = await done;
    expect([...signals.values()].every((s) => s.aborted)).toBe(true);
    const status = Object.fromEntries(results.map((r) => [r.uniqueId, r.status]));
    expect(status).toEqual({ a: 'error', b: 'error', c: 'skipped', d: 'skipped' });
    expect(exitCodeFor(results, 'SIGINT')).toBe(130);
    expect(exitCodeFor(results, 'SIGTERM')).toBe(143);
  });

  it('finishes at once with an empty plan, and exit code 0 when all passed', async () => {
    expect(await new Scheduler(plan({}), async () => ok, { threads: 4 }).run()).toEqual([]);
    const results = await new Scheduler(plan({ a: [] }), async () => ok, { threads: 4 }).run();
    expect(exitCodeFor(results)).toBe(0);
  });
});

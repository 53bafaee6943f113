/**
 * Runs a plan: up to `threads` nodes at once, each as soon as every node it waits for is done.
 * Among ready nodes the plan's order decides, so output is stable run to run. A failure skips
 * only its descendants; `failFast` stops everything at the first one; `cancel()` aborts the
 * running nodes (each has its own AbortController) and skips the rest.
 */
import type { NodeOutcome } from '../materialize/types.js';
import { MinHeap } from '../graph/heap.js';
import type { RunPlan } from './plan.js';
import type { NodeResult, NodeRunner, SchedulerEvent } from './types.js';

export interface SchedulerOptions {
  threads: number;
  failFast?: boolean;
  onEvent?: (event: SchedulerEvent) => void;
  /** Whether an outcome skips the node's descendants. Default: status `error` or `fail`. */
  blocks?: (uniqueId: string, result: NodeResult) => boolean;
  /** Called once when the run is cancelled (fail-fast or cancel()), e.g. to cancel server operations. */
  onCancel?: (reason: string) => void | Promise<void>;
  now?: () => Date;
}

interface NodeState {
  position: number;
  pending: number;
  children: string[];
  /** The failed (or skipped) node that makes this one skip. */
  skipCause: string | null;
  done: boolean;
}

export function defaultBlocks(_id: string, result: NodeResult): boolean {
  return result.status === 'error' || result.status === 'fail' || result.status === 'runtime error';
}

export class Scheduler {
  private readonly states = new Map<string, NodeState>();
  private readonly ready: MinHeap<string>;
  private readonly running = new Map<string, AbortController>();
  private readonly results = new Map<string, NodeResult>();
  private readonly freeThreads: number[] = [];
  private readonly total: number;
  private nextIndex = 1;
  private cancelReason: string | null = null;
  private started = false;
  private finish: (() => void) | null = null;
  private readonly now: () => Date;
  private readonly blocks: (uniqueId: string, result: NodeResult) => boolean;
  private maxRunning = 0;

  constructor(
    private readonly plan: RunPlan,
    private readonly runNode: NodeRunner,
    private readonly options: SchedulerOptions,
  ) {
    this.total = plan.order.length;
    this.now = options.now ?? (() => new Date());
    this.blocks = options.blocks ?? defaultBlocks;
    plan.order.forEach((id, position) => {
      this.states.set(id, { position, pending: 0, children: [], skipCause: null, done: false });
    });
    for (const id of plan.order) {
      for (const parent of plan.parents.get(id) ?? []) {
        const p = this.states.get(parent);
        if (!p) continue;
        p.children.push(id);
        this.states.get(id)!.pending++;
      }
    }
    this.ready = new MinHeap((a, b) => this.states.get(a)!.position - this.states.get(b)!.position);
    const threads = Math.max(1, Math.floor(options.threads));
    for (let t = threads; t >= 1; t--) this.freeThreads.push(t);
  }

  /** The most nodes that ran at the same time so far. */
  get peakParallelism(): number {
    return this.maxRunning;
  }

  get cancelled(): string | null {
    return this.cancelReason;
  }

  /** Run every node of the plan; resolves with one result per node, in the order they were reported. */
  async run(): Promise<NodeResult[]> {
    if (this.started) throw new Error('a Scheduler runs once');
    this.started = true;
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    for (const id of this.plan.order) if (this.states.get(id)!.pending === 0) this.ready.push(id);
    this.pump();
    await done;
    return [...this.results.values()];
  }

  /** Stop: abort running nodes, skip what has not started. */
  cancel(reason: string): void {
    if (this.cancelReason !== null) return;
    this.cancelReason = reason;
    for (const controller of this.running.values()) controller.abort(new CancelledError(reason));
    void Promise.resolve(this.options.onCancel?.(reason)).catch(() => undefined);
    this.pump();
  }

  private pump(): void {
    while (this.ready.size > 0) {
      if (this.cancelReason !== null) {
        this.skip(this.ready.pop()!, null);
        continue;
      }
      const id = this.ready.pop()!;
      const state = this.states.get(id)!;
      if (state.skipCause !== null) {
        this.skip(id, state.skipCause);
        continue;
      }
      const threadNumber = this.freeThreads.pop();
      if (threadNumber === undefined) {
        this.ready.push(id);
        break;
      }
      this.start(id, threadNumber);
    }
    if (this.cancelReason !== null) {
      // Nodes still waiting on parents will never be ready: skip them now, in plan order.
      for (const id of this.plan.order) {
        const state = this.states.get(id)!;
        if (!state.done && !this.running.has(id)) this.skip(id, null);
      }
    }
    if (this.running.size === 0 && this.results.size === this.total) this.finish?.();
  }

  private start(id: string, threadNumber: number): void {
    const controller = new AbortController();
    this.running.set(id, controller);
    this.maxRunning = Math.max(this.maxRunning, this.running.size);
    const index = this.nextIndex++;
    const threadId = `Thread-${threadNumber}`;
    const startedAt = this.now();
    this.options.onEvent?.({ kind: 'start', uniqueId: id, index, total: this.total, threadId });
    let outcome: Promise<NodeOutcome>;
    try {
      outcome = this.runNode(id, controller.signal, threadId);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (value) => this.complete(id, index, threadNumber, startedAt, value),
      (error: unknown) =>
        this.complete(id, index, threadNumber, startedAt, this.errorOutcome(error, controller.signal)),
    );
  }

  private errorOutcome(error: unknown, signal: AbortSignal): NodeOutcome {
    const message = signal.aborted
      ? `Cancelled: ${this.cancelReason ?? 'aborted'}`
      : error instanceof Error
        ? error.message
        : String(error);
    return { status: 'error', message, rowsAffected: null, failures: null, adapterResponse: {} };
  }

  private complete(
    id: string,
    index: number,
    threadNumber: number,
    startedAt: Date,
    outcome: NodeOutcome,
  ): void {
    const completedAt = this.now();
    this.running.delete(id);
    this.freeThreads.push(threadNumber);
    this.freeThreads.sort((a, b) => b - a);
    const result: NodeResult = {
      uniqueId: id,
      status: outcome.status,
      message: outcome.message,
      rowsAffected: outcome.rowsAffected,
      failures: outcome.failures,
      adapterResponse: outcome.adapterResponse,
      startedAt: startedAt.toISOString(),
      completedAt: completedAt.toISOString(),
      executionTime: (completedAt.getTime() - startedAt.getTime()) / 1000,
      threadId: `Thread-${threadNumber}`,
      index,
    };
    const state = this.states.get(id)!;
    state.done = true;
    this.results.set(id, result);
    this.options.onEvent?.({ kind: 'finish', uniqueId: id, index, total: this.total, result });
    const failed = this.blocks(id, result);
    this.release(id, failed ? id : null);
    if (failed && this.options.failFast && this.cancelReason === null) {
      this.cancel(`--fail-fast: ${id} failed`);
      return;
    }
    this.pump();
  }

  private skip(id: string, cause: string | null): void {
    const state = this.states.get(id)!;
    if (state.done) return;
    state.done = true;
    const index = this.nextIndex++;
    const result: NodeResult = {
      uniqueId: id,
      status: 'skipped',
      message: cause ? `Skipped because ${cause} failed` : `Skipped: ${this.cancelReason ?? 'cancelled'}`,
      rowsAffected: null,
      failures: null,
      adapterResponse: {},
      startedAt: null,
      completedAt: null,
      executionTime: 0,
      threadId: null,
      index,
      skippedBecause: cause,
    };
    this.results.set(id, result);
    this.options.onEvent?.({ kind: 'skip', uniqueId: id, index, total: this.total, result });
    this.release(id, cause ?? id);
  }

  /** A node is done: its children have one parent less to wait for; `cause` makes them skip. */
  private release(id: string, cause: string | null): void {
    for (const child of this.states.get(id)!.children) {
      const state = this.states.get(child)!;
      if (cause !== null && state.skipCause === null) state.skipCause = cause;
      if (--state.pending === 0 && !state.done) this.ready.push(child);
    }
  }
}

export class CancelledError extends Error {
  constructor(reason: string) {
    super(`Cancelled: ${reason}`);
    this.name = 'CancelledError';
  }
}

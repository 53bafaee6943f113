/**
 * A small pool of HiveServer2 sessions: one session per concurrent statement, at most `max`
 * (the run's `--threads`). Sessions open lazily, broken ones are dropped and replaced.
 */
import { CancelledError, isSessionBroken } from './errors.js';
import type { SqlSession } from './session.js';

export interface PoolStats {
  open: number;
  idle: number;
  busy: number;
  waiting: number;
  /** Sessions opened since the pool was made (reconnects included). */
  opened: number;
}

interface Waiter<S> {
  resolve: (session: S) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class SessionPool<S extends SqlSession = SqlSession> {
  private readonly idle: S[] = [];
  private readonly busy = new Set<S>();
  private readonly waiters: Waiter<S>[] = [];
  private opening = 0;
  private opened = 0;
  private closed = false;

  constructor(
    private readonly factory: () => Promise<S>,
    readonly max: number,
  ) {
    if (!(max >= 1)) throw new RangeError(`pool size must be at least 1, got ${max}`);
  }

  /** Adds a session opened elsewhere (the one capabilities were detected on). */
  adopt(session: S): void {
    this.opened++;
    this.idle.push(session);
  }

  async acquire(signal?: AbortSignal): Promise<S> {
    if (this.closed) throw new CancelledError('The adapter is closed');
    if (signal?.aborted) throw new CancelledError('Cancelled');
    for (;;) {
      const session = this.idle.pop();
      if (!session) break;
      if (session.broken) {
        void session.close().catch(() => undefined);
        continue;
      }
      this.busy.add(session);
      return session;
    }
    if (this.size() < this.max) return this.openForCaller();
    return new Promise<S>((resolve, reject) => {
      const waiter: Waiter<S> = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new CancelledError('Cancelled'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  /** Gives a session back; a broken one is closed and its place freed. */
  release(session: S): void {
    this.busy.delete(session);
    if (session.broken || this.closed) {
      void session.close().catch(() => undefined);
      this.serveWaiters();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      this.detach(waiter);
      this.busy.add(session);
      waiter.resolve(session);
      return;
    }
    this.idle.push(session);
  }

  /** Drops a session that failed in a way that may have left it unusable. */
  discard(session: S): void {
    this.busy.delete(session);
    const i = this.idle.indexOf(session);
    if (i >= 0) this.idle.splice(i, 1);
    void session.close().catch(() => undefined);
    this.serveWaiters();
  }

  /** Acquire, run, give back (or drop when the error says the session is gone). */
  async use<T>(fn: (session: S) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const session = await this.acquire(signal);
    try {
      const result = await fn(session);
      this.release(session);
      return result;
    } catch (error) {
      if (session.broken || isSessionBroken(error)) this.discard(session);
      else this.release(session);
      throw error;
    }
  }

  /** Cancels the operations running on every session. */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.busy].map((s) => s.cancel().catch(() => undefined)));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      this.detach(waiter);
      waiter.reject(new CancelledError('The adapter is closed'));
    }
    const all = [...this.idle.splice(0), ...this.busy];
    this.busy.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }

  /** Every session, busy or idle (for tests and stats). */
  sessions(): S[] {
    return [...this.idle, ...this.busy];
  }

  stats(): PoolStats {
    return {
      open: this.idle.length + this.busy.size,
      idle: this.idle.length,
      busy: this.busy.size,
      waiting: this.waiters.length,
      opened: this.opened,
    };
  }

  private size(): number {
    return this.idle.length + this.busy.size + this.opening;
  }

  private async openForCaller(): Promise<S> {
    this.opening++;
    try {
      const session = await this.factory();
      this.opened++;
      if (this.closed) {
        void session.close().catch(() => undefined);
        throw new CancelledError('The adapter is closed');
      }
      this.busy.add(session);
      return session;
    } finally {
      this.opening--;
    }
  }

  /** A place freed up: open a session for the first waiter. */
  private serveWaiters(): void {
    if (this.closed) return;
    while (this.waiters.length > 0) {
      const idle = this.idle.pop();
      if (idle && !idle.broken) {
        const waiter = this.waiters.shift()!;
        this.detach(waiter);
        this.busy.add(idle);
        waiter.resolve(idle);
        continue;
      }
      if (idle) {
        void idle.close().catch(() => undefined);
        continue;
      }
      if (this.size() >= this.max) return;
      const waiter = this.waiters.shift()!;
      this.detach(waiter);
      this.openForCaller().then(waiter.resolve, waiter.reject);
    }
  }

  private detach(waiter: Waiter<S>): void {
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
  }
}

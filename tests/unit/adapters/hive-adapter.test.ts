import { describe, expect, it } from 'vitest';
import { HiveAdapter } from '../../../src/adapters/hive/adapter.js';
import {
  CancelledError,
  ConnectionLostError,
  HiveStatementError,
} from '../../../src/adapters/hive/errors.js';
import type { SqlSession, StatementOptions, StatementResult } from '../../../src/adapters/hive/session.js';
import type { HiveTarget } from '../../../src/config/types.js';

const TARGET: HiveTarget = {
  name: 'dev',
  profileName: 'p',
  type: 'hive',
  host: 'h',
  port: 1,
  auth: 'NONE',
  transport: 'binary',
  schema: 's',
  threads: 2,
  session: {},
  connectTimeoutSeconds: 1,
  retries: 2,
  extra: {},
  file: 'profiles.yml',
};

type Behaviour = (sql: string, session: FakeSession, options: StatementOptions) => Promise<StatementResult>;
const OK: StatementResult = {
  columns: [{ name: 'x', type: 'int' }],
  rows: [[1]],
  rowsAffected: null,
  elapsedMs: 1,
};

class FakeSession implements SqlSession {
  static count = 0;
  readonly id = ++FakeSession.count;
  broken = false;
  closed = false;
  cancels = 0;
  statements: string[] = [];
  constructor(private readonly behaviour: Behaviour) {}
  async execute(sql: string, options: StatementOptions = {}): Promise<StatementResult> {
    this.statements.push(sql);
    if (sql === 'SET hive.txn.manager') return { ...OK, rows: [['hive.txn.manager=x.DbTxnManager']] };
    return this.behaviour(sql, this, options);
  }
  async listTables(): Promise<Array<{ name: string; type: string }>> {
    this.statements.push('GetTables');
    return [
      { name: 'a', type: 'TABLE' },
      { name: 'V', type: 'VIEW' },
    ];
  }
  async serverInfo() {
    return { dbmsName: 'Apache Hive', dbmsVersion: '4.0.1', serverName: 'Hive' };
  }
  async cancel(): Promise<void> {
    this.cancels++;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.broken = true;
  }
}

async function adapterWith(behaviour: Behaviour, threads = 2) {
  const sessions: FakeSession[] = [];
  const adapter = await HiveAdapter.connect(
    { ...TARGET, threads },
    {
      backoff: { baseMs: 1, maxMs: 2, jitter: 0 },
      openSession: async () => {
        const s = new FakeSession(behaviour);
        sessions.push(s);
        return s;
      },
    },
  );
  return { adapter, sessions };
}

describe('HiveAdapter (fake sessions)', () => {
  it('detects capabilities on the first session and keeps it for statements', async () => {
    const { adapter, sessions } = await adapterWith(async () => OK);
    expect(adapter.capabilities).toMatchObject({ engine: 'hive', supportsMerge: true });
    await adapter.execute('SELECT 1;');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.statements).toEqual(['SET hive.txn.manager', 'SELECT 1']);
  });

  it('a lost connection drops the session and retries on a new one', async () => {
    const { adapter, sessions } = await adapterWith(async (sql, session) => {
      if (session.id === sessions[0]!.id && sql === 'INSERT') {
        session.broken = true;
        throw new ConnectionLostError('the connection was closed');
      }
      return OK;
    });
    const result = await adapter.execute('INSERT');
    expect(result.rows).toEqual([[1]]);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.closed).toBe(true);
    expect(adapter.stats().retries).toBe(1);
  });

  it('a restarted server (invalid session handle) is retried, then gives up after `retries`', async () => {
    const { adapter, sessions } = await adapterWith(async () => {
      throw new HiveStatementError('Invalid SessionHandle: SessionHandle [abc]');
    });
    await expect(adapter.execute('SELECT 2')).rejects.toThrow(/Invalid SessionHandle/);
    expect(adapter.stats().retries).toBe(2);
    expect(sessions.length).toBe(3);
  });

  it("a semantic error fails at once with Hive's message, and the session stays in the pool", async () => {
    const { adapter, sessions } = await adapterWith(async () => {
      throw new HiveStatementError(
        "Error while compiling statement: FAILED: SemanticException [Error 10001]: Line 1:14 Table not found 'nope'",
        { sqlState: '42S02' },
      );
    });
    await expect(adapter.execute('SELECT * FROM nope')).rejects.toThrow(
      /^Error while compiling statement: FAILED: SemanticException/,
    );
    expect(adapter.stats().retries).toBe(0);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.closed).toBe(false);
  });

  it('runs at most `threads` statements at once, one session each', async () => {
    let running = 0;
    let peak = 0;
    const { adapter, sessions } = await adapterWith(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return OK;
    }, 3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => adapter.execute(`SELECT ${i}`)));
    expect(peak).toBe(3);
    expect(sessions).toHaveLength(3);
  });

  it('cancelAll cancels the running statements and rejects with a cancel error', async () => {
    const { adapter, sessions } = await adapterWith(
      (_sql, _session, options) =>
        new Promise((_, reject) => {
          options.signal?.addEventListener('abort', () =>
            reject(new CancelledError('Cancelled: SELECT slow')),
          );
        }),
    );
    const running = adapter.execute('SELECT slow');
    const waiting = adapter.execute('SELECT slow 2');
    const third = adapter.execute('SELECT slow 3');
    await new Promise((r) => setTimeout(r, 10));
    await adapter.cancelAll();
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    await expect(third).rejects.toBeInstanceOf(CancelledError);
    expect(sessions.reduce((n, s) => n + s.cancels, 0)).toBeGreaterThan(0);
    // The adapter still works after a cancel.
    expect(adapter.stats().pool.busy).toBe(0);
  });

  it('listRelations: one GetTables per schema; DDL keeps it fresh without another', async () => {
    const { adapter, sessions } = await adapterWith(async () => OK);
    const first = await adapter.listRelations('s');
    expect([...first.entries()].map(([k, v]) => [k, v.kind])).toEqual([
      ['a', 'table'],
      ['v', 'view'],
    ]);
    await adapter.execute('CREATE TABLE s.b (id int)');
    adapter.invalidate('s', 'b');
    const second = await adapter.listRelations('s');
    expect([...second.keys()]).toEqual(['a', 'v', 'b']);
    expect(await adapter.describeRelation('s', 'missing')).toBeNull();
    expect(sessions[0]!.statements.filter((s) => s === 'GetTables')).toHaveLength(1);
    expect(adapter.stats().metadata).toEqual({ listings: 1, describes: 0 });
  });

  it('createSchemaIfMissing runs once per schema', async () => {
    const { adapter, sessions } = await adapterWith(async () => OK);
    await adapter.createSchemaIfMissing('s');
    await adapter.createSchemaIfMissing('S');
    expect(sessions[0]!.statements.filter((s) => s.startsWith('CREATE DATABASE'))).toEqual([
      'CREATE DATABASE IF NOT EXISTS `s`',
    ]);
  });
});

describe('Kerberos without its dependency', () => {
  it('fails at once naming what to install', async () => {
    const { HiveServerSession } = await import('../../../src/adapters/hive/session.js');
    const { AdapterConfigError, isTransient } = await import('../../../src/adapters/hive/errors.js');
    const error = await HiveServerSession.open({
      host: '127.0.0.1',
      port: 1,
      transport: 'binary',
      auth: 'KERBEROS',
      connectTimeoutMs: 1000,
    }).then(
      () => null,
      (e: unknown) => e as InstanceType<typeof AdapterConfigError>,
    );
    expect(error).toBeInstanceOf(AdapterConfigError);
    expect(error!.message).toMatch(/`kerberos` npm package/);
    expect(error!.hint).toMatch(/libkrb5-dev/);
    expect(isTransient(error)).toBe(false);
  });
});

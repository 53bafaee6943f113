/**
 * The HiveServer2 adapter against the running local stack, on both engines: Hive 4.0.1 and
 * Spark Thrift Server 3.5.4. Databases: qdbt_it_adapter_<engine> only.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HiveAdapter } from '../../src/adapters/hive/adapter.js';
import { CancelledError, HiveStatementError } from '../../src/adapters/hive/errors.js';
import type { HiveServerSession } from '../../src/adapters/hive/session.js';
import type { HiveTarget } from '../../src/config/types.js';

const stack = inject('stack');

function targetFor(port: number, schema: string): HiveTarget {
  return {
    name: 'it',
    profileName: 'qdbt_it',
    type: 'hive',
    host: '127.0.0.1',
    port,
    auth: 'NONE',
    transport: 'binary',
    schema,
    threads: 2,
    session: {
      'hive.exec.dynamic.partition.mode': 'nonstrict',
      'hive.exec.max.dynamic.partitions': '1234',
      'spark.sql.shuffle.partitions': '3',
    },
    connectTimeoutSeconds: 20,
    retries: 3,
    extra: {},
    file: 'profiles.yml',
  };
}

describe.each([
  { engine: 'hive', port: stack.hiveUrl.port, db: 'qdbt_it_adapter_hive' },
  { engine: 'spark', port: stack.sparkUrl.port, db: 'qdbt_it_adapter_spark' },
] as const)('HiveServer2 adapter on $engine', ({ engine, port, db }) => {
  let adapter: HiveAdapter;
  const logLines: string[] = [];

  beforeAll(async () => {
    adapter = await HiveAdapter.connect(targetFor(port, db), {
      log: (line) => logLines.push(line),
      backoff: { baseMs: 100, maxMs: 1000 },
    });
    await adapter.execute(`DROP DATABASE IF EXISTS ${db} CASCADE`);
    await adapter.createSchemaIfMissing(db);
  });
  afterAll(async () => {
    await adapter?.close();
  });

  it('detects the engine and its capabilities at connect', () => {
    expect(logLines[0]).toMatch(/^connected to /);
    if (engine === 'hive') {
      expect(adapter.capabilities).toMatchObject({
        engine: 'hive',
        supportsMerge: true,
        supportsAcid: true,
        canWriteTransactional: true,
      });
      expect(adapter.capabilities.version).toMatch(/^4\.0\.1/);
    } else {
      expect(adapter.capabilities).toMatchObject({
        engine: 'spark',
        supportsMerge: false,
        supportsSkipHeaderLine: false,
        supportsHiveJsonSerde: false,
        canWriteTransactional: false,
      });
      expect(adapter.capabilities.version).toMatch(/^3\.5\.4/);
    }
  });

  it('runs SELECT 1 and types its column from the result schema', async () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const result = await adapter.execute('SELECT 1 AS one');
      times.push(performance.now() - started);
      expect(result.rows).toEqual([[1]]);
      expect(result.columns).toEqual([{ name: 'one', type: 'int', comment: null }]);
    }
    times.sort((a, b) => a - b);
    process.stderr.write(
      `[adapter] ${engine}: SELECT 1 median ${times[5]!.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms\n`,
    );
  });

  it('runs DDL and DML; BIGINT beyond 2^53 and DECIMAL(38,10) come back exact, types from the schema', async () => {
    await adapter.execute(
      `CREATE TABLE ${db}.amounts (id BIGINT, amount DECIMAL(38,10), note VARCHAR(20)) PARTITIONED BY (dt STRING) STORED AS PARQUET`,
    );
    const insert = await adapter.execute(
      `INSERT INTO ${db}.amounts PARTITION (dt) VALUES ` +
        `(9007199254740993, 1234567890123456789012345678.0123456789, 'big', '2024-01-01'), ` +
        `(-9223372036854775808, -0.0000000001, NULL, '2024-01-02'), ` +
        `(9223372036854775807, 99999999999999999999999999.9999999999, 'max', '2024-01-02')`,
      { nodeId: 'model.it.amounts' },
    );
    expect(insert.rows).toEqual([]);
    const result = await adapter.execute(`SELECT id, amount, note, dt FROM ${db}.amounts ORDER BY id`);
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'bigint'],
      ['amount', 'decimal(38,10)'],
      ['note', 'varchar(20)'],
      ['dt', 'string'],
    ]);
    expect(result.rows).toEqual([
      [-9223372036854775808n, '-0.0000000001', null, '2024-01-02'],
      [9007199254740993n, '1234567890123456789012345678.0123456789', 'big', '2024-01-01'],
      [9223372036854775807n, '99999999999999999999999999.9999999999', 'max', '2024-01-02'],
    ]);
    const limited = await adapter.execute(`SELECT id FROM ${db}.amounts`, { maxRows: 2 });
    expect(limited.rows).toHaveLength(2);
    if (engine === 'hive') expect(logLines.some((l) => l.startsWith('model.it.amounts: '))).toBe(true);
  });

  it('lists tables and views with their kinds in one round trip per schema', async () => {
    await adapter.execute(`CREATE VIEW ${db}.amounts_v AS SELECT id FROM ${db}.amounts`);
    adapter.invalidate(db);
    const before = adapter.stats().metadata.listings;
    const [relations, again] = await Promise.all([adapter.listRelations(db), adapter.listRelations(db)]);
    await adapter.listRelations(db);
    expect(adapter.stats().metadata.listings - before).toBe(1);
    expect([...relations.values()].map((r) => [r.name, r.kind]).sort()).toEqual([
      ['amounts', 'table'],
      ['amounts_v', 'view'],
    ]);
    expect(again.size).toBe(2);
    // DDL through the adapter keeps the listing true without another round trip.
    await adapter.execute(`CREATE TABLE ${db}.later (id INT) STORED AS PARQUET`);
    adapter.invalidate(db, 'later');
    await adapter.execute(`DROP VIEW ${db}.amounts_v`);
    adapter.invalidate(db, 'amounts_v');
    const after = await adapter.listRelations(db);
    expect([...after.keys()].sort()).toEqual(['amounts', 'later']);
    expect(adapter.stats().metadata.listings - before).toBe(1);
    expect(await adapter.describeRelation(db, 'amounts_v')).toBeNull();
  });

  it('describes a relation: columns, partition columns, format, transactional', async () => {
    const info = await adapter.describeRelation(db, 'amounts');
    expect(info).toMatchObject({
      schema: db,
      name: 'amounts',
      kind: 'table',
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'amount', type: 'decimal(38,10)' },
        { name: 'note', type: 'varchar(20)' },
      ],
      partitionColumns: [{ name: 'dt', type: 'string' }],
      fileFormat: 'parquet',
      transactional: false,
    });
    expect(info!.location).toMatch(/amounts$/);
    const describes = adapter.stats().metadata.describes;
    await adapter.describeRelation(db, 'amounts');
    expect(adapter.stats().metadata.describes).toBe(describes);
    await adapter.execute(`ALTER TABLE ${db}.amounts ADD COLUMNS (extra STRING)`);
    const altered = await adapter.describeRelation(db, 'amounts');
    expect(altered!.columns!.map((c) => c.name)).toEqual(['id', 'amount', 'note', 'extra']);
    if (engine === 'hive') {
      await adapter.execute(
        `CREATE TABLE ${db}.acid (id BIGINT, v STRING) STORED AS ORC TBLPROPERTIES ('transactional'='true')`,
      );
      expect(await adapter.describeRelation(db, 'acid')).toMatchObject({
        transactional: true,
        fileFormat: 'orc',
        external: false,
      });
    }
    await adapter.execute(`CREATE VIEW ${db}.v2 AS SELECT id FROM ${db}.amounts`);
    expect(await adapter.describeRelation(db, 'v2')).toMatchObject({
      kind: 'view',
      columns: [{ name: 'id', type: 'bigint' }],
      fileFormat: null,
    });
    expect(await adapter.describeRelation(db, 'nope')).toBeNull();
  });

  it("a semantic error fails at once with the server's message", async () => {
    const retries = adapter.stats().retries;
    const started = performance.now();
    const error = await adapter.execute(`SELECT no_such_column FROM ${db}.amounts`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HiveStatementError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      engine === 'hive'
        ? /^Error while compiling statement: FAILED: SemanticException .*no_such_column/
        : /^\[UNRESOLVED_COLUMN[A-Z_.]*\] .*no_such_column/,
    );
    expect(adapter.stats().retries).toBe(retries);
    expect(performance.now() - started).toBeLessThan(5_000);
    const parse = (await adapter.execute('SELEC 1').catch((e: unknown) => e)) as Error;
    expect(parse.message).toMatch(
      engine === 'hive' ? /ParseException/ : /^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'SELEC'/,
    );
  });

  it('applies the profile session settings on every session', async () => {
    const key = engine === 'hive' ? 'hive.exec.max.dynamic.partitions' : 'spark.sql.shuffle.partitions';
    const expected = engine === 'hive' ? '1234' : '3';
    const read = async (): Promise<string> => {
      const rows = (await adapter.execute(`SET ${key}`)).rows;
      return rows[0]!.map(String).join('=');
    };
    // Two at once: two sessions.
    const both = await Promise.all([read(), read(), adapter.execute('SELECT 1')]);
    expect(both[0]).toContain(expected);
    expect(both[1]).toContain(expected);
    expect(adapter.stats().pool.open).toBe(2);
  });

  // A job on the cluster (Tez on Hive, a Spark job), not a fetch task: Hive runs fetch tasks inside
  // FetchResults, where a cancel on the same connection waits behind the fetch.
  const longJob = (db: string): string =>
    `SELECT max(s) FROM (SELECT reflect('java.lang.Thread', 'sleep', CAST(60000 AS BIGINT)) AS s FROM ${db}.amounts) t`;

  it('cancelAll stops a long query on the server', async () => {
    const sleeper = longJob(db);
    const started = performance.now();
    const running = adapter.execute(sleeper).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 3_000));
    await adapter.cancelAll();
    const error = await running;
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(CancelledError);
    expect(elapsed).toBeLessThan(10_000);
    process.stderr.write(`[adapter] ${engine}: cancelled after ${(elapsed - 3000).toFixed(0)} ms\n`);
    // The sessions still work.
    expect((await adapter.execute('SELECT 2')).rows).toEqual([[2]]);
  });

  it('an aborted signal cancels its statement only', async () => {
    const controller = new AbortController();
    const running = adapter.execute(longJob(db), { signal: controller.signal }).catch((e: unknown) => e);
    const other = adapter.execute('SELECT 3');
    setTimeout(() => controller.abort(), 3_000);
    expect(await running).toBeInstanceOf(CancelledError);
    expect((await other).rows).toEqual([[3]]);
  });

  it('reconnects when the connection drops, and when the server-side session is gone', async () => {
    const sessions = () => adapter.pool.sessions() as HiveServerSession[];
    const opened = adapter.stats().pool.opened;
    for (const session of sessions()) session.destroyConnectionForTest();
    await new Promise((r) => setTimeout(r, 100));
    expect((await adapter.execute('SELECT 4')).rows).toEqual([[4]]);
    expect(adapter.stats().pool.opened).toBeGreaterThan(opened);

    const retries = adapter.stats().retries;
    for (const session of sessions()) await session.closeServerSessionForTest();
    expect((await adapter.execute('SELECT 5')).rows).toEqual([[5]]);
    expect(adapter.stats().retries).toBeGreaterThan(retries);
    expect(logLines.some((l) => /reconnecting, retry 1\/3/.test(l))).toBe(true);
    // The new session has the profile's settings too.
    const key = engine === 'hive' ? 'hive.exec.max.dynamic.partitions' : 'spark.sql.shuffle.partitions';
    expect((await adapter.execute(`SET ${key}`)).rows[0]!.map(String).join('=')).toContain(
      engine === 'hive' ? '1234' : '3',
    );
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HiveConnection, HiveError } from '../../src/adapters/hive/connection.js';

const stack = inject('stack');

describe.each([
  { engine: 'hive', port: stack.hiveUrl.port, db: 'qdbt_it_hive' },
  { engine: 'spark', port: stack.sparkUrl.port, db: 'qdbt_it_spark' },
])('HiveQL round trip on $engine', ({ engine, port, db }) => {
  let connection: HiveConnection;

  beforeAll(async () => {
    connection = await HiveConnection.open({
      host: '127.0.0.1',
      port,
      auth: 'NONE',
      session: { 'hive.exec.dynamic.partition.mode': 'nonstrict' },
    });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('reports the server', async () => {
    const info = await connection.serverInfo();
    expect(info.name).toBe(engine === 'hive' ? 'Apache Hive' : 'Spark SQL');
    expect(info.version).toMatch(engine === 'hive' ? /^4\.0\.1/ : /^3\.5\.4/);
  });

  it('creates a partitioned Parquet table, inserts, selects (BIGINT and DECIMAL exact)', async () => {
    await connection.execute(`CREATE DATABASE IF NOT EXISTS ${db}`);
    await connection.execute(`DROP TABLE IF EXISTS ${db}.orders`);
    await connection.execute(
      `CREATE TABLE ${db}.orders (id BIGINT, amount DECIMAL(38,10), note STRING) PARTITIONED BY (dt STRING) STORED AS PARQUET`,
    );
    await connection.execute(
      `INSERT INTO ${db}.orders PARTITION (dt) VALUES ` +
        `(9007199254740993, 1234567890123456789012345678.0123456789, 'big', '2024-01-01'), ` +
        `(-9223372036854775808, -0.0000000001, NULL, '2024-01-02'), ` +
        `(3, 3.5, 'three', '2024-01-02')`,
    );
    const result = await connection.execute(`SELECT id, amount, note, dt FROM ${db}.orders ORDER BY id`);
    expect(result.columns.map((c) => c.type)).toEqual(['bigint', 'decimal(38,10)', 'string', 'string']);
    expect(result.rows).toEqual([
      [-9223372036854775808n, '-0.0000000001', null, '2024-01-02'],
      [3n, '3.5000000000', 'three', '2024-01-02'],
      [9007199254740993n, '1234567890123456789012345678.0123456789', 'big', '2024-01-01'],
    ]);
    const partitions = await connection.query(`SHOW PARTITIONS ${db}.orders`);
    expect(partitions.map((p) => Object.values(p)[0])).toEqual(['dt=2024-01-01', 'dt=2024-01-02']);
  });

  it('reports a missing table as a HiveError with its first line', async () => {
    const error = await connection.execute(`SELECT * FROM ${db}.no_such_table`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HiveError);
    expect((error as HiveError).message).not.toContain('\n');
    expect((error as HiveError).message.toLowerCase()).toMatch(/no_such_table|not found/);
  });
});

describe('HiveServer2 session behaviour', () => {
  it('times out connect when the auth does not match (NOSASL against NONE)', async () => {
    const t0 = Date.now();
    const error = await HiveConnection.open({
      host: '127.0.0.1',
      port: stack.hiveUrl.port,
      auth: 'NOSASL',
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HiveError);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('cancels a running statement through an AbortSignal', async () => {
    const connection = await HiveConnection.open({
      host: '127.0.0.1',
      port: stack.hiveUrl.port,
      auth: 'NONE',
    });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 3_000);
      const t0 = Date.now();
      // A Tez task that sleeps 60 s (little memory, unlike a large explode).
      const error = await connection
        .execute(
          // max(x) makes Hive evaluate the sleep; a literal of its own keeps Hive 4's results cache out.
          `SELECT max(x), ${Date.now()} FROM (SELECT reflect('java.lang.Thread', 'sleep', cast(60000 as bigint)) AS x) t`,
          { signal: controller.signal },
        )
        .catch((e: unknown) => e);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(error).toBeInstanceOf(HiveError);
      const after = await connection.execute('SELECT 2');
      expect(after.rows).toEqual([[2]]);
    } finally {
      await connection.close();
    }
  });
});

/**
 * One HiveServer2 session on its own connection, for the local stack's checks, `qdbt debug` and
 * tests: a small facade over the adapter's `HiveServerSession` (session.ts), which does the Thrift
 * work (async statements polled with backoff, per-session long-polling timeout, timeouts around
 * connect and openSession, exact BIGINT/DECIMAL decoding, cancel).
 */
import { HiveServerSession } from './session.js';
import type { HiveValue } from './decode.js';
import type { ColumnDef } from '../types.js';

export { HiveError } from './errors.js';
export type { HiveColumn, HiveValue } from './decode.js';
export { decodeRows, decodeSchema } from './decode.js';

export type HiveAuthMode = 'NONE' | 'NOSASL' | 'LDAP';

export interface HiveConnectionOptions {
  host: string;
  port: number;
  /** Must match the server's `hive.server2.authentication`: NONE/LDAP use PLAIN SASL, NOSASL none. */
  auth: HiveAuthMode;
  user?: string;
  password?: string;
  /** Database the session starts in. */
  database?: string;
  /** Settings applied to the session (`hive.exec.dynamic.partition.mode: nonstrict`, ...). */
  session?: Record<string, string>;
  /** Timeout for connect and for openSession, each. Default 20 s. */
  connectTimeoutMs?: number;
  /** Per-session `hive.server2.long.polling.timeout`. Default `200ms`. */
  longPollingTimeout?: string;
}

export interface ExecuteOptions {
  /** Cancels the statement on the server when aborted. */
  signal?: AbortSignal;
  /** Gives up (and cancels) after this long. Default: no limit. */
  timeoutMs?: number;
  /** Rows per FetchResults call. Default 10,000. */
  fetchSize?: number;
}

export interface QueryResult {
  columns: ColumnDef[];
  rows: HiveValue[][];
  /** Milliseconds from submit to the last row. */
  elapsedMs: number;
}

export class HiveConnection {
  private constructor(private readonly session: HiveServerSession) {}

  /** Connects and opens a session; throws naming host, port and auth on failure or timeout. */
  static async open(options: HiveConnectionOptions): Promise<HiveConnection> {
    const session = await HiveServerSession.open({
      host: options.host,
      port: options.port,
      transport: 'binary',
      auth: options.auth,
      user: options.user,
      password: options.password,
      session: options.session,
      connectTimeoutMs: options.connectTimeoutMs ?? 20_000,
      longPollingTimeout: options.longPollingTimeout,
    });
    const connection = new HiveConnection(session);
    if (options.database) await connection.execute(`use \`${options.database.replace(/`/g, '``')}\``);
    return connection;
  }

  async execute(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    const signals = [options.signal, options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined];
    const present = signals.filter((s): s is AbortSignal => s !== undefined);
    const signal = present.length > 1 ? AbortSignal.any(present) : present[0];
    const result = await this.session.execute(sql, { signal, fetchSize: options.fetchSize });
    return { columns: result.columns, rows: result.rows as HiveValue[][], elapsedMs: result.elapsedMs };
  }

  /** Rows as objects keyed by column name. */
  async query(sql: string, options: ExecuteOptions = {}): Promise<Array<Record<string, HiveValue>>> {
    const { columns, rows } = await this.execute(sql, options);
    return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i] ?? null])));
  }

  async cancel(): Promise<void> {
    await this.session.cancel();
  }

  async serverInfo(): Promise<{ name: string; version: string }> {
    const info = await this.session.serverInfo();
    return { name: info.dbmsName, version: info.dbmsVersion };
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/**
 * One HiveServer2 connection (one Thrift connection, one session), over hive-driver.
 *
 * What hive-driver's defaults get wrong, and what this class does instead (see DEPENDENCIES.md):
 * - statements run async (`runAsync: true`) and are polled with a backoff, so they can be cancelled;
 * - `hive.server2.long.polling.timeout` is set per session (a status call otherwise blocks 5 s);
 * - connect and openSession run under our own timeout (an authentication mismatch hangs forever);
 * - rows are decoded from the raw column values: BIGINT as exact `bigint`, DECIMAL as exact text.
 */
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { QdbtError } from '../../errors.js';

const require = createRequire(import.meta.url);
// hive-driver is CommonJS with loose typings: load it once, type what we use below.
const driver = require('hive-driver') as HiveDriverModule;
const T = driver.thrift.TCLIService_types;

export type HiveAuthMode = 'NONE' | 'NOSASL' | 'LDAP';

export interface HiveConnectionOptions {
  host: string;
  port: number;
  /** Must match the server's `hive.server2.authentication`: NONE/LDAP use PLAIN SASL, NOSASL none. */
  auth: HiveAuthMode;
  user?: string;
  password?: string;
  /** Database the session starts in (`use <database>`). */
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

/**
 * A decoded value. BIGINT is a `bigint`; DECIMAL, DATE, TIMESTAMP, INTERVAL and the complex types
 * (ARRAY, MAP, STRUCT, as JSON text) are strings exactly as the server sent them; BINARY a Buffer.
 */
export type HiveValue = string | number | bigint | boolean | Buffer | null;

export interface HiveColumn {
  /** As the server names it (`t.id` on Hive, `id` on Spark). */
  name: string;
  /** Hive type name, lower case: `bigint`, `decimal`, `string`, `array`... */
  type: string;
}

export interface QueryResult {
  columns: HiveColumn[];
  rows: HiveValue[][];
  /** Milliseconds from submit to the last row. */
  elapsedMs: number;
}

/** A statement or protocol failure reported by HiveServer2. `message` is the first line only. */
export class HiveError extends QdbtError {
  readonly sqlState?: string;
  readonly errorCode?: number;
  /** Everything the server said (Spark sends whole Java stack traces). */
  readonly serverMessage: string;
  constructor(
    serverMessage: string,
    options: { sqlState?: string; errorCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super('runtime', firstLine(serverMessage), { hint: options.hint, cause: options.cause });
    this.name = 'HiveError';
    this.serverMessage = serverMessage;
    this.sqlState = options.sqlState;
    this.errorCode = options.errorCode;
  }
}

export class HiveConnection {
  private client: HiveClientLike | null = null;
  private session: HiveSessionLike | null = null;
  private readonly running = new Set<HiveOperationLike>();

  private constructor(readonly options: HiveConnectionOptions) {}

  /** Connects and opens a session; throws a HiveError naming host, port and auth on failure or timeout. */
  static async open(options: HiveConnectionOptions): Promise<HiveConnection> {
    const connection = new HiveConnection(options);
    await connection.connect();
    return connection;
  }

  private async connect(): Promise<void> {
    const { host, port, auth } = this.options;
    const timeoutMs = this.options.connectTimeoutMs ?? 20_000;
    const where = `HiveServer2 at ${host}:${port} (auth ${auth})`;
    const authOptions = {
      username: this.options.user ?? 'anonymous',
      password: this.options.password ?? 'anonymous',
    };
    const inner =
      auth === 'NOSASL'
        ? new driver.auth.NoSaslAuthentication()
        : new driver.auth.PlainTcpAuthentication(authOptions);
    let transport: TransportLike | null = null;
    // Remember the transport so that a timeout can close the socket the driver would leave hanging.
    const authProvider = {
      authenticate: (t: TransportLike): Promise<TransportLike> => {
        transport = t;
        return inner.authenticate(t);
      },
    };
    const client = new driver.HiveClient(driver.thrift.TCLIService, T);
    const abandon = (): void => {
      try {
        client.close();
      } catch {
        /* not connected */
      }
      (transport?.getTransport() as { destroy?: () => void } | undefined)?.destroy?.();
    };
    client.on('error', () => {
      /* surfaced through the pending call */
    });
    try {
      await withTimeout(
        client.connect(
          { host, port, options: { connect_timeout: timeoutMs, max_attempts: 1 } },
          new driver.connections.TcpConnection(),
          authProvider,
        ),
        timeoutMs,
        `${where}: no connection after ${timeoutMs} ms`,
      );
      this.client = client;
      const configuration: Record<string, string> = {
        'set:hiveconf:hive.server2.long.polling.timeout': this.options.longPollingTimeout ?? '200ms',
      };
      for (const [key, value] of Object.entries(this.options.session ?? {}))
        configuration[`set:hiveconf:${key}`] = value;
      if (this.options.database) configuration.use = this.options.database;
      this.session = await withTimeout(
        client.openSession({
          client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
          username: authOptions.username,
          password: authOptions.password,
          configuration,
        }),
        timeoutMs,
        `${where}: the session did not open within ${timeoutMs} ms`,
      );
    } catch (error) {
      abandon();
      this.client = null;
      if (error instanceof HiveError) throw error;
      throw new HiveError(`${where}: ${errorText(error)}`, {
        cause: error,
        hint: "Is the server up (`qdbt local status`), and does the target's auth match hive.server2.authentication (NONE needs PLAIN, NOSASL none)?",
      });
    }
  }

  /** Runs one statement and returns all its rows. Async on the server, polled with a backoff. */
  async execute(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    const session = this.requireSession();
    const started = performance.now();
    const operation = await session.executeStatement(sql, { runAsync: true }).catch((error: unknown) => {
      throw toHiveError(error);
    });
    this.running.add(operation);
    const deadline = options.timeoutMs === undefined ? Infinity : started + options.timeoutMs;
    const onAbort = (): void => void operation.cancel().catch(() => undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let delay = 0;
      let errorPolls = 0;
      for (;;) {
        if (options.signal?.aborted) throw new HiveError(`Cancelled: ${firstLine(sql)}`);
        if (performance.now() > deadline) {
          await operation.cancel().catch(() => undefined);
          throw new HiveError(`Timed out after ${options.timeoutMs} ms and cancelled: ${firstLine(sql)}`);
        }
        const status = await operation.status(false).catch((error: unknown) => {
          throw toHiveError(error);
        });
        const state = status.operationState;
        if (state === T.TOperationState.FINISHED_STATE) break;
        if (state === T.TOperationState.ERROR_STATE) {
          // Spark sets ERROR before it records the exception: ask again briefly for the message.
          if (!status.errorMessage && errorPolls++ < 10) {
            await sleep(100);
            continue;
          }
          throw new HiveError(status.errorMessage || 'the statement failed', {
            sqlState: status.sqlState,
            errorCode: status.errorCode,
          });
        }
        if (state === T.TOperationState.CANCELED_STATE || state === T.TOperationState.CLOSED_STATE)
          throw new HiveError(`Cancelled: ${firstLine(sql)}`);
        if (state === T.TOperationState.TIMEDOUT_STATE)
          throw new HiveError(`The server timed the statement out: ${firstLine(sql)}`);
        // The long-polling status call already waits up to the session's timeout while running.
        if (delay > 0) await sleep(delay);
        delay = Math.min(Math.max(delay * 2, 10), 500);
      }
      operation.setMaxRows(options.fetchSize ?? 10_000);
      do {
        await operation.fetch().catch((error: unknown) => {
          throw toHiveError(error);
        });
      } while (operation.hasMoreRows());
      const schema = operation.getSchema();
      const columns = schema ? decodeSchema(schema) : [];
      const rows = schema ? decodeRows(schema, operation.getData()) : [];
      return { columns, rows, elapsedMs: performance.now() - started };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.running.delete(operation);
      await operation.close().catch(() => undefined);
    }
  }

  /** Rows as objects keyed by column name (a `t.` prefix removed). */
  async query(sql: string, options: ExecuteOptions = {}): Promise<Array<Record<string, HiveValue>>> {
    const result = await this.execute(sql, options);
    const names = result.columns.map((c) => c.name.split('.').pop() ?? c.name);
    return result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] ?? null])));
  }

  /** Cancels every statement running on this connection. */
  async cancel(): Promise<void> {
    await Promise.all([...this.running].map((op) => op.cancel().catch(() => undefined)));
  }

  /** The server's product name and version (`Apache Hive` `4.0.1`, `Spark SQL` `3.5.4`). */
  async serverInfo(): Promise<{ name: string; version: string }> {
    const session = this.requireSession();
    const name = await session.getInfo(T.TGetInfoType.CLI_DBMS_NAME);
    const version = await session.getInfo(T.TGetInfoType.CLI_DBMS_VER);
    return { name: String(name.getValue() ?? ''), version: String(version.getValue() ?? '') };
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session) await withTimeout(session.close(), 5_000, 'close').catch(() => undefined);
    this.client?.close();
    this.client = null;
  }

  private requireSession(): HiveSessionLike {
    if (!this.session) throw new HiveError('The HiveServer2 connection is closed');
    return this.session;
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding: from raw column values, so that BIGINT and DECIMAL stay exact.

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(T.TTypeId as Record<string, number>).map(([k, v]) => [
    v,
    k.replace(/_TYPE$/, '').toLowerCase(),
  ]),
);

export function decodeSchema(schema: TableSchemaLike): HiveColumn[] {
  return [...schema.columns]
    .sort((a, b) => a.position - b.position)
    .map((c) => ({ name: c.columnName, type: typeNameOf(c) }));
}

function typeNameOf(column: ColumnDescLike): string {
  const type = column.typeDesc.types[0]?.primitiveEntry?.type;
  return type === undefined ? 'unknown' : (TYPE_NAMES[type] ?? 'unknown');
}

/** Decodes hive-driver's fetched row sets column by column. Exported for unit tests. */
export function decodeRows(schema: TableSchemaLike, rowSets: RowSetLike[]): HiveValue[][] {
  const descriptors = [...schema.columns].sort((a, b) => a.position - b.position);
  const types = descriptors.map(typeNameOf);
  const rows: HiveValue[][] = [];
  for (const rowSet of rowSets) {
    const columns = rowSet.columns ?? [];
    const decoded = columns.map((column, i) => decodeColumn(column, types[i] ?? 'string'));
    const count = decoded.reduce((n, c) => Math.max(n, c.length), 0);
    for (let r = 0; r < count; r++) rows.push(decoded.map((c) => c[r] ?? null));
  }
  return rows;
}

function decodeColumn(column: RawColumnLike, type: string): HiveValue[] {
  const [kind, data] = Object.entries(column).find(([, v]) => v !== null && v !== undefined) ?? [];
  if (!kind || !data) return [];
  const values = data.values as unknown[];
  const nulls = data.nulls as Buffer | undefined;
  return values.map((value, i) => {
    if (nulls && nulls.length > i >> 3 && (nulls[i >> 3]! & (1 << (i & 7))) !== 0) return null;
    if (kind === 'i64Val') {
      const raw = value as { buffer: Buffer; offset: number };
      return raw.buffer.readBigInt64BE(raw.offset);
    }
    if (kind === 'stringVal' || kind === 'binaryVal' || kind === 'boolVal') return value as HiveValue;
    if (kind === 'byteVal' || kind === 'i16Val' || kind === 'i32Val') return Number(value);
    if (kind === 'doubleVal') return type === 'float' ? Math.fround(value as number) : (value as number);
    return value as HiveValue;
  });
}

// ---------------------------------------------------------------------------------------------

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HiveError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}...` : line;
}

function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error)
    return String((error as { message: unknown }).message) || String(error);
  return String(error);
}

function toHiveError(error: unknown): HiveError {
  if (error instanceof HiveError) return error;
  const e = error as { message?: string; code?: number; stack?: string };
  return new HiveError(e?.message || String(error), {
    errorCode: typeof e?.code === 'number' && e.code !== -1 ? e.code : undefined,
    cause: error,
  });
}

// ---------------------------------------------------------------------------------------------
// The part of hive-driver's API this file uses, typed.

interface TransportLike {
  getTransport(): unknown;
}
interface AuthLike {
  authenticate(transport: TransportLike): Promise<TransportLike>;
}
interface TableSchemaLike {
  columns: ColumnDescLike[];
}
interface ColumnDescLike {
  columnName: string;
  position: number;
  typeDesc: { types: Array<{ primitiveEntry?: { type: number } }> };
}
type RawColumnLike = Record<string, { values: unknown[]; nulls?: Buffer } | null | undefined>;
interface RowSetLike {
  columns?: RawColumnLike[];
}
interface OperationStatusLike {
  operationState?: number;
  sqlState?: string;
  errorCode?: number;
  errorMessage?: string;
}
interface HiveOperationLike {
  status(progress?: boolean): Promise<OperationStatusLike>;
  fetch(): Promise<unknown>;
  cancel(): Promise<unknown>;
  close(): Promise<unknown>;
  hasMoreRows(): boolean;
  setMaxRows(n: number): void;
  getSchema(): TableSchemaLike | null;
  getData(): RowSetLike[];
}
interface HiveSessionLike {
  executeStatement(sql: string, options: { runAsync: boolean }): Promise<HiveOperationLike>;
  getInfo(type: number): Promise<{ getValue(): unknown }>;
  close(): Promise<unknown>;
}
interface HiveClientLike {
  connect(
    options: { host: string; port: number; options?: Record<string, unknown> },
    connection: unknown,
    auth: AuthLike,
  ): Promise<unknown>;
  openSession(request: {
    client_protocol: number;
    username?: string;
    password?: string;
    configuration?: Record<string, string>;
  }): Promise<HiveSessionLike>;
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(): void;
}
interface HiveDriverModule {
  HiveClient: new (service: unknown, types: unknown) => HiveClientLike;
  auth: {
    NoSaslAuthentication: new () => AuthLike;
    PlainTcpAuthentication: new (options?: { username?: string; password?: string }) => AuthLike;
  };
  connections: { TcpConnection: new () => unknown };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  thrift: { TCLIService: unknown; TCLIService_types: any };
}

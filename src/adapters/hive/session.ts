/**
 * One HiveServer2 session on its own Thrift connection, for the adapter's pool.
 *
 * It serves the adapter (HTTP, TLS, LDAP and Kerberos, the operation log and progress, row limits,
 * column types with their precision, a connection that notices it is gone) and, through the thin
 * `HiveConnection` facade, the local stack's checks and `qdbt debug`. hive-driver's
 * HiveClient does the transports and authentication; the Thrift commands go through its
 * HiveDriver directly, so that operation handles, fetch types and statuses are ours. Rows are
 * decoded by decode.ts's `decodeRows` (BIGINT exact as bigint, DECIMAL as exact text).
 *
 * hive-driver traps handled here (see DEPENDENCIES.md):
 * - statements run async and are polled; the per-session long-polling timeout is 200 ms;
 * - connect and openSession run under a timeout (an authentication mismatch hangs forever);
 * - node-thrift never answers a call pending on a closed socket (and queues calls made after it):
 *   every call races the connection's `close`/`error` events and fails with ConnectionLostError.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CellValue, ColumnDef } from '../types.js';
import type { HiveAuth, HiveTransport } from '../../config/types.js';
import { decodeRows } from './decode.js';
import {
  AdapterConfigError,
  CancelledError,
  ConnectionLostError,
  HiveStatementError,
  isSessionBroken,
} from './errors.js';

const require = createRequire(import.meta.url);
// hive-driver (and Thrift) take ~100 ms to load: only commands that talk to a server pay for it.
let loadedDriver: HiveDriverModule | null = null;
function hiveDriver(): HiveDriverModule {
  return (loadedDriver ??= require('hive-driver') as HiveDriverModule);
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const thriftTypes = (): any => hiveDriver().thrift.TCLIService_types;

export interface SessionOptions {
  host: string;
  port: number;
  transport: HiveTransport;
  /** HTTP transport: the server's `hive.server2.thrift.http.path`, e.g. `cliservice`. */
  httpPath?: string;
  auth: HiveAuth;
  user?: string;
  password?: string;
  tls?: { enabled: boolean; rejectUnauthorized?: boolean; ca?: string };
  kerberos?: { service?: string; principal?: string };
  /** Applied to every new session (`set:hiveconf:<key>` in OpenSession). */
  session?: Record<string, string>;
  /** Timeout for connect and for openSession, each. */
  connectTimeoutMs: number;
  /** Per-session `hive.server2.long.polling.timeout`. Default `200ms`. */
  longPollingTimeout?: string;
}

export interface StatementOptions {
  signal?: AbortSignal;
  /** Fetch at most this many rows. */
  maxRows?: number;
  /** Operation log lines and progress, as they come. */
  log?: (line: string) => void;
  /** Rows per FetchResults call. Default 10,000. */
  fetchSize?: number;
}

export interface StatementResult {
  columns: ColumnDef[];
  rows: CellValue[][];
  rowsAffected: number | null;
  elapsedMs: number;
}

export interface ServerInfo {
  /** CLI_DBMS_NAME: `Apache Hive`, `Spark SQL`. */
  dbmsName: string;
  /** CLI_DBMS_VER: `4.0.1`, `3.5.4`. */
  dbmsVersion: string;
  /** CLI_SERVER_NAME: `Hive`, `Spark SQL`, `Apache Kyuubi`. */
  serverName: string;
}

export interface TableEntry {
  name: string;
  /** As GetTables reports it: `TABLE`, `VIEW`, `MATERIALIZED_VIEW`. */
  type: string;
}

/** What the pool and the adapter need of a session; unit tests give fakes. */
export interface SqlSession {
  readonly id: number;
  /** True once the connection or the server-side session is gone. */
  readonly broken: boolean;
  execute(sql: string, options?: StatementOptions): Promise<StatementResult>;
  /** Tables and views of one schema, with their kinds, in one GetTables operation. */
  listTables(schema: string): Promise<TableEntry[]>;
  serverInfo(): Promise<ServerInfo>;
  /** Cancels every operation running on this session. */
  cancel(): Promise<void>;
  close(): Promise<void>;
}

interface RunningOperation {
  handle: unknown;
  cancelled: boolean;
}

let nextId = 1;

export class HiveServerSession implements SqlSession {
  readonly id = nextId++;
  private lost: Error | null = null;
  private readonly lostListeners = new Set<(error: Error) => void>();
  private readonly running = new Set<RunningOperation>();
  private logsUnsupported = false;
  private closed = false;

  private constructor(
    private readonly client: HiveClientLike,
    private readonly thrift: ThriftDriverLike,
    private sessionHandle: unknown,
    readonly where: string,
  ) {}

  get broken(): boolean {
    return this.lost !== null || this.closed;
  }

  /** Connects, authenticates and opens a session with the profile's settings. */
  static async open(options: SessionOptions): Promise<HiveServerSession> {
    const where = `HiveServer2 at ${options.host}:${options.port} (${options.transport}, auth ${options.auth}${options.tls?.enabled ? ', TLS' : ''})`;
    const client = new (hiveDriver().HiveClient)(hiveDriver().thrift.TCLIService, thriftTypes());
    const { connection, auth, connectOptions } = connectionFor(options);
    let transport: TransportLike | null = null;
    let socketConnected = false;
    const authProvider: AuthLike = {
      authenticate: (t) => {
        transport = t;
        const authenticated = auth.authenticate(t);
        // Binary transports open their socket in authenticate: note when TCP got through.
        const socket = t.getTransport() as
          | { once?: (event: string, listener: () => void) => void }
          | undefined;
        socket?.once?.('connect', () => {
          socketConnected = true;
        });
        return authenticated;
      },
    };
    let earlyError: unknown = null;
    // HTTP reports its failures (refused, TLS verification) only as `error` events: fail on them.
    let failOnError: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      failOnError = reject;
    });
    failed.catch(() => undefined);
    client.on('error', (error) => {
      earlyError = error;
      failOnError(error);
    });
    const abandon = (): void => {
      try {
        client.close();
      } catch {
        /* not connected */
      }
      const socket = (transport as TransportLike | null)?.getTransport() as
        | { destroy?: () => void }
        | undefined;
      socket?.destroy?.();
    };
    const timeoutMs = options.connectTimeoutMs;
    try {
      await withTimeout(
        client.connect(
          { host: options.host, port: options.port, options: connectOptions },
          connection,
          authProvider,
        ),
        timeoutMs,
        () =>
          socketConnected
            ? authMismatch(where, timeoutMs)
            : new ConnectionLostError(`${where}: no connection after ${timeoutMs} ms`),
      );
    } catch (error) {
      abandon();
      if (error instanceof ConnectionLostError || error instanceof AdapterConfigError) throw error;
      const tlsError = certificateError(where, earlyError ?? error);
      if (tlsError) throw tlsError;
      const refused = credentialsRefused(where, earlyError ?? error);
      if (refused) throw refused;
      throw new ConnectionLostError(`${where}: ${errorText(earlyError ?? error)}`, {
        cause: error,
        hint: 'Is the server up (`qdbt local status`), and are host, port and transport right?',
      });
    }
    const thrift = new (hiveDriver().HiveDriver)(
      thriftTypes(),
      client.getClient(),
    ) as unknown as ThriftDriverLike;
    const configuration: Record<string, string> = {
      'set:hiveconf:hive.server2.long.polling.timeout': options.longPollingTimeout ?? '200ms',
    };
    for (const [key, value] of Object.entries(options.session ?? {}))
      configuration[`set:hiveconf:${key}`] = value;
    let response: { status: StatusLike; sessionHandle: unknown };
    try {
      response = await withTimeout(
        Promise.race([
          thrift.openSession({
            client_protocol: thriftTypes().TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
            username: options.user ?? 'anonymous',
            password: options.password ?? 'anonymous',
            configuration,
          }),
          failed,
        ]),
        timeoutMs,
        () => authMismatch(where, timeoutMs),
      );
      checkStatus(response.status, where);
    } catch (error) {
      abandon();
      if (error instanceof AdapterConfigError || error instanceof HiveStatementError) throw error;
      const tlsError = certificateError(where, error);
      if (tlsError) throw tlsError;
      const refused = credentialsRefused(where, error);
      if (refused) throw refused;
      throw new ConnectionLostError(`${where}: ${errorText(error)}`, { cause: error });
    }
    const session = new HiveServerSession(client, thrift, response.sessionHandle, where);
    client.on('error', (error) => session.markLost(error));
    client.on('close', () => session.markLost(new Error('the connection was closed')));
    client.on('timeout', () => session.markLost(new Error('the connection timed out')));
    return session;
  }

  async execute(sql: string, options: StatementOptions = {}): Promise<StatementResult> {
    const started = performance.now();
    const { signal, log } = options;
    if (signal?.aborted) throw new CancelledError(`Cancelled: ${firstLine(sql)}`);
    const submitted = await this.call(() =>
      this.thrift.executeStatement({ sessionHandle: this.sessionHandle, statement: sql, runAsync: true }),
    );
    checkStatus(submitted.status, this.where);
    const operation: RunningOperation = { handle: submitted.operationHandle, cancelled: false };
    this.running.add(operation);
    const onAbort = (): void => void this.cancelOperation(operation);
    signal?.addEventListener('abort', onAbort, { once: true });
    const progress = log ? new ProgressReporter(log) : null;
    let lastLogFetch = started;
    try {
      let polls = 0;
      let errorPolls = 0;
      let status: OperationStatusLike;
      for (;;) {
        if (signal?.aborted && !operation.cancelled) await this.cancelOperation(operation);
        status = await this.call(() =>
          this.thrift.getOperationStatus({
            operationHandle: operation.handle,
            getProgressUpdate: Boolean(log),
          }),
        );
        checkStatus(status.status, this.where);
        const state = status.operationState;
        if (progress && status.progressUpdateResponse) progress.report(status.progressUpdateResponse);
        if (log && performance.now() - lastLogFetch >= 1_000) {
          lastLogFetch = performance.now();
          await this.fetchLog(operation, log);
        }
        if (state === thriftTypes().TOperationState.FINISHED_STATE) break;
        if (
          state === thriftTypes().TOperationState.CANCELED_STATE ||
          state === thriftTypes().TOperationState.CLOSED_STATE ||
          operation.cancelled
        )
          throw new CancelledError(`Cancelled: ${firstLine(sql)}`);
        if (state === thriftTypes().TOperationState.ERROR_STATE) {
          // Spark sets ERROR before it records the exception: ask again briefly for the message.
          if (!status.errorMessage && errorPolls++ < 10) {
            await sleep(50);
            continue;
          }
          if (log) await this.fetchLog(operation, log);
          throw new HiveStatementError(status.errorMessage || 'the statement failed', {
            sqlState: status.sqlState ?? undefined,
            errorCode: status.errorCode ?? undefined,
          });
        }
        if (state === thriftTypes().TOperationState.TIMEDOUT_STATE)
          throw new HiveStatementError(`The server timed the statement out: ${firstLine(sql)}`);
        // While running, each status call already waits up to the session's long-polling timeout.
        const delay = pollDelay(++polls);
        if (delay > 0) await sleep(delay);
      }
      if (log && performance.now() - started >= 1_000) await this.fetchLog(operation, log);
      const rowsAffected = toNumberOrNull(status.numModifiedRows);
      const hasResultSet =
        (status.hasResultSet ?? (submitted.operationHandle as { hasResultSet?: boolean }).hasResultSet) !==
        false;
      if (!hasResultSet)
        return { columns: [], rows: [], rowsAffected, elapsedMs: performance.now() - started };
      const { columns, rows } = await this.fetchAll(operation, options);
      return { columns, rows, rowsAffected, elapsedMs: performance.now() - started };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(operation);
      if (!this.lost)
        await this.call(() => this.thrift.closeOperation({ operationHandle: operation.handle })).catch(
          () => undefined,
        );
    }
  }

  async listTables(schema: string): Promise<TableEntry[]> {
    const response = await this.call(() =>
      this.thrift.getTables({ sessionHandle: this.sessionHandle, schemaName: schema, tableName: '%' }),
    );
    checkStatus(response.status, this.where);
    const operation: RunningOperation = { handle: response.operationHandle, cancelled: false };
    try {
      for (let polls = 1; ; polls++) {
        const status = await this.call(() =>
          this.thrift.getOperationStatus({ operationHandle: operation.handle }),
        );
        checkStatus(status.status, this.where);
        if (status.operationState === thriftTypes().TOperationState.FINISHED_STATE) break;
        if (status.operationState === thriftTypes().TOperationState.ERROR_STATE)
          throw new HiveStatementError(status.errorMessage || `listing the tables of ${schema} failed`, {
            sqlState: status.sqlState ?? undefined,
          });
        await sleep(pollDelay(polls));
      }
      const { columns, rows } = await this.fetchAll(operation, {});
      const index = (name: string, fallback: number): number => {
        const i = columns.findIndex((c) => c.name.toUpperCase() === name);
        return i >= 0 ? i : fallback;
      };
      const schemaAt = index('TABLE_SCHEM', 1);
      const nameAt = index('TABLE_NAME', 2);
      const typeAt = index('TABLE_TYPE', 3);
      // GetTables takes patterns (`_` matches any character): keep the exact schema only.
      return rows
        .filter((row) => String(row[schemaAt] ?? '').toLowerCase() === schema.toLowerCase())
        .map((row) => ({ name: String(row[nameAt] ?? ''), type: String(row[typeAt] ?? 'TABLE') }));
    } finally {
      if (!this.lost)
        await this.call(() => this.thrift.closeOperation({ operationHandle: operation.handle })).catch(
          () => undefined,
        );
    }
  }

  async serverInfo(): Promise<ServerInfo> {
    const get = async (type: number): Promise<string> => {
      const response = await this.call(() =>
        this.thrift.getInfo({ sessionHandle: this.sessionHandle, infoType: type }),
      );
      checkStatus(response.status, this.where);
      const value = response.infoValue ?? {};
      const found = Object.values(value).find((v) => v !== null && v !== undefined);
      return found === undefined ? '' : String(found);
    };
    return {
      dbmsName: await get(thriftTypes().TGetInfoType.CLI_DBMS_NAME),
      dbmsVersion: await get(thriftTypes().TGetInfoType.CLI_DBMS_VER),
      serverName: await get(thriftTypes().TGetInfoType.CLI_SERVER_NAME).catch(() => ''),
    };
  }

  async cancel(): Promise<void> {
    await Promise.all([...this.running].map((operation) => this.cancelOperation(operation)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.lost)
      await withTimeout(
        this.call(() => this.thrift.closeSession({ sessionHandle: this.sessionHandle })),
        5_000,
        () => new Error('close timed out'),
      ).catch(() => undefined);
    this.markLost(new Error('the session was closed'));
    try {
      this.client.close();
    } catch {
      /* already closed */
    }
  }

  /** For tests: drop the TCP connection under the session, as a server restart would. */
  destroyConnectionForTest(): void {
    const connection = (
      this.client as unknown as { connection?: { getConnection(): { connection?: { destroy(): void } } } }
    ).connection;
    connection?.getConnection().connection?.destroy();
  }

  /** For tests: close the server-side session behind the pool's back, as a server restart would. */
  async closeServerSessionForTest(): Promise<void> {
    await this.call(() => this.thrift.closeSession({ sessionHandle: this.sessionHandle }));
  }

  private async cancelOperation(operation: RunningOperation): Promise<void> {
    if (operation.cancelled) return;
    operation.cancelled = true;
    await this.call(() => this.thrift.cancelOperation({ operationHandle: operation.handle })).catch(
      () => undefined,
    );
  }

  private async fetchAll(
    operation: RunningOperation,
    options: StatementOptions,
  ): Promise<{ columns: ColumnDef[]; rows: CellValue[][] }> {
    const metadata = await this.call(() =>
      this.thrift.getResultSetMetadata({ operationHandle: operation.handle }),
    );
    checkStatus(metadata.status, this.where);
    const schema = metadata.schema;
    if (!schema) return { columns: [], rows: [] };
    const columns = columnsOf(schema);
    const limit = options.maxRows ?? Infinity;
    const fetchSize = options.fetchSize ?? 10_000;
    const rows: CellValue[][] = [];
    let orientation = thriftTypes().TFetchOrientation.FETCH_FIRST;
    while (rows.length < limit) {
      const want = Math.min(fetchSize, limit - rows.length);
      const response = await this.call(() =>
        this.thrift.fetchResults({
          operationHandle: operation.handle,
          orientation,
          maxRows: want,
          fetchType: 0,
        }),
      );
      checkStatus(response.status, this.where);
      orientation = thriftTypes().TFetchOrientation.FETCH_NEXT;
      const batch = response.results ? (decodeRows(schema, [response.results]) as CellValue[][]) : [];
      for (const row of batch) rows.push(row);
      // HiveServer2 always answers hasMoreRows=false; a short batch is the end.
      if (batch.length < want && !response.hasMoreRows) break;
    }
    return { columns, rows: rows.length > limit ? rows.slice(0, limit) : rows };
  }

  private async fetchLog(operation: RunningOperation, log: (line: string) => void): Promise<void> {
    if (this.logsUnsupported) return;
    try {
      for (let i = 0; i < 20; i++) {
        const response = await this.call(() =>
          this.thrift.fetchResults({
            operationHandle: operation.handle,
            orientation: thriftTypes().TFetchOrientation.FETCH_NEXT,
            maxRows: 1_000,
            fetchType: 1,
          }),
        );
        if (response.status?.statusCode === thriftTypes().TStatusCode.ERROR_STATUS) {
          this.logsUnsupported = true;
          return;
        }
        const column = response.results?.columns?.[0];
        const values = (column?.stringVal?.values ?? []) as string[];
        for (const value of values) for (const line of String(value).split('\n')) if (line.trim()) log(line);
        if (values.length < 1_000) return;
      }
    } catch (error) {
      if (error instanceof ConnectionLostError) throw error;
      this.logsUnsupported = true;
    }
  }

  private markLost(error: unknown): void {
    if (this.lost) return;
    this.lost = new ConnectionLostError(`${this.where}: ${errorText(error)}`, { cause: error });
    for (const listener of this.lostListeners) listener(this.lost);
    this.lostListeners.clear();
  }

  /** One Thrift call that fails as soon as the connection goes, instead of waiting forever. */
  private call<R>(fn: () => Promise<R>): Promise<R> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<R>((resolve, reject) => {
      const onLost = (error: Error): void => reject(error);
      this.lostListeners.add(onLost);
      let promise: Promise<R>;
      try {
        promise = fn();
      } catch (error) {
        this.lostListeners.delete(onLost);
        reject(this.asLost(error));
        return;
      }
      promise.then(
        (value) => {
          this.lostListeners.delete(onLost);
          resolve(value);
        },
        (error: unknown) => {
          this.lostListeners.delete(onLost);
          reject(this.asLost(error));
        },
      );
    });
  }

  private asLost(error: unknown): unknown {
    if (isSessionBroken(error) && !(error instanceof ConnectionLostError)) {
      this.markLost(error);
      return this.lost;
    }
    return error;
  }
}

/** 0 ms for the first polls (long polling waits on the server), then 25 ms doubling to 1 s. */
export function pollDelay(poll: number): number {
  if (poll <= 2) return 0;
  return Math.min(1_000, 25 * 2 ** (poll - 3));
}

// ---------------------------------------------------------------------------------------------

function connectionFor(options: SessionOptions): {
  connection: unknown;
  auth: AuthLike;
  connectOptions: Record<string, unknown>;
} {
  const credentials = { username: options.user ?? 'anonymous', password: options.password ?? 'anonymous' };
  const tls = options.tls?.enabled ? options.tls : undefined;
  const ca = tls?.ca ? readCa(tls.ca) : undefined;
  const rejectUnauthorized = tls ? (tls.rejectUnauthorized ?? true) : undefined;
  if (options.transport === 'http') {
    const path = `/${(options.httpPath ?? 'cliservice').replace(/^\/+/, '')}`;
    const connectOptions: Record<string, unknown> = {
      path,
      https: Boolean(tls),
      nodeOptions: tls ? { rejectUnauthorized, ...(ca ? { ca } : {}) } : {},
      headers: {},
    };
    const auth =
      options.auth === 'KERBEROS'
        ? new (hiveDriver().auth.KerberosHttpAuthentication)(credentials, kerberosProcess(options))
        : new (hiveDriver().auth.PlainHttpAuthentication)(credentials);
    return { connection: new (hiveDriver().connections.HttpConnection)(), auth, connectOptions };
  }
  const connectOptions: Record<string, unknown> = {
    connect_timeout: options.connectTimeoutMs,
    // node-thrift must not reconnect by itself: the server-side session is gone with the socket.
    max_attempts: 0,
    ...(tls ? { ssl: true, rejectUnauthorized, ...(ca ? { ca } : {}) } : {}),
  };
  const auth =
    options.auth === 'NOSASL'
      ? new (hiveDriver().auth.NoSaslAuthentication)()
      : options.auth === 'KERBEROS'
        ? new (hiveDriver().auth.KerberosTcpAuthentication)(credentials, kerberosProcess(options))
        : new (hiveDriver().auth.PlainTcpAuthentication)(credentials);
  return { connection: new (hiveDriver().connections.TcpConnection)(), auth, connectOptions };
}

function readCa(ca: string): string | Buffer {
  if (ca.includes('-----BEGIN')) return ca;
  try {
    return readFileSync(ca);
  } catch (error) {
    throw new AdapterConfigError(`tls.ca: cannot read ${ca}: ${errorText(error)}`, { cause: error });
  }
}

function kerberosProcess(options: SessionOptions): unknown {
  let kerberos: unknown;
  try {
    kerberos = require('kerberos');
  } catch (error) {
    throw new AdapterConfigError('auth KERBEROS needs the `kerberos` npm package, which is not installed', {
      cause: error,
      hint: 'It compiles against MIT Kerberos: install its headers (Debian/Ubuntu: `apt-get install libkrb5-dev`, RHEL: `krb5-devel`), then `npm install kerberos` in the project, and `kinit` before running qdbt.',
    });
  }
  return new (hiveDriver().auth.helpers.MongoKerberosAuthProcess)(
    { fqdn: options.host, service: options.kerberos?.service ?? 'hive' },
    kerberos,
  );
}

let typeNames: Record<number, string> | null = null;
function typeNameById(): Record<number, string> {
  return (typeNames ??= Object.fromEntries(
    Object.entries(thriftTypes().TTypeId as Record<string, number>).map(([k, v]) => [
      v,
      k.replace(/_TYPE$/, '').toLowerCase(),
    ]),
  ));
}

/** Column names and types from the result schema, with precision, scale and length. */
export function columnsOf(schema: TableSchemaLike): ColumnDef[] {
  return [...schema.columns]
    .sort((a, b) => a.position - b.position)
    .map((c) => ({ name: unqualified(c.columnName), type: typeOf(c), comment: c.comment || null }));
}

function typeOf(column: ColumnDescLike): string {
  const entry = column.typeDesc.types[0]?.primitiveEntry;
  const id = entry?.type;
  const name = id === undefined ? 'unknown' : (typeNameById()[id] ?? 'unknown');
  const q = entry?.typeQualifiers?.qualifiers ?? {};
  const int = (key: string): number | null => {
    const v = q[key]?.i32Value;
    return typeof v === 'number' ? v : null;
  };
  if (name === 'decimal') {
    const precision = int('precision');
    const scale = int('scale');
    return precision === null ? 'decimal' : `decimal(${precision},${scale ?? 0})`;
  }
  if (name === 'varchar' || name === 'char') {
    const length = int('characterMaximumLength');
    return length === null ? name : `${name}(${length})`;
  }
  if (name === 'interval_year_month') return 'interval year to month';
  if (name === 'interval_day_time') return 'interval day to second';
  return name;
}

/** Hive names result columns `t.id` (hive.resultset.use.unique.column.names): keep `id`. */
function unqualified(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1) : name;
}

function checkStatus(status: StatusLike | undefined, where: string): void {
  if (!status) return;
  const code = status.statusCode;
  if (
    code === thriftTypes().TStatusCode.ERROR_STATUS ||
    code === thriftTypes().TStatusCode.INVALID_HANDLE_STATUS
  ) {
    const message =
      status.errorMessage ||
      `${where}: the server answered ${code === thriftTypes().TStatusCode.INVALID_HANDLE_STATUS ? 'invalid handle' : 'error'}`;
    const error = new HiveStatementError(message, {
      sqlState: status.sqlState ?? undefined,
      errorCode:
        typeof status.errorCode === 'number' && status.errorCode !== 0 ? status.errorCode : undefined,
    });
    if (code === thriftTypes().TStatusCode.INVALID_HANDLE_STATUS)
      throw new ConnectionLostError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

class ProgressReporter {
  private last = '';
  private lastAt = performance.now();
  constructor(private readonly log: (line: string) => void) {}

  report(progress: ProgressLike): void {
    const pct =
      typeof progress.progressedPercentage === 'number'
        ? Math.round(progress.progressedPercentage * 100)
        : null;
    const headers = progress.headerNames ?? [];
    const stages = (progress.rows ?? []).map((row) => {
      const get = (name: string): string | undefined => {
        const i = headers.findIndex((h) => h.toUpperCase() === name);
        return i >= 0 ? row[i] : undefined;
      };
      const total = get('TOTAL');
      const completed = get('COMPLETED');
      return `${row[0] ?? '?'} ${completed ?? '?'}/${total ?? '?'}`;
    });
    if (stages.length === 0 && !pct) return;
    const text = `progress ${pct === null ? '' : `${pct}% `}${stages.join(', ')}`.trim();
    const now = performance.now();
    // Nothing for quick statements; then at most one line per 2 s, and only when it changed.
    if (text === this.last || now - this.lastAt < 2_000) return;
    this.last = text;
    this.lastAt = now;
    this.log(text);
  }
}

function toNumberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n =
    typeof value === 'number'
      ? value
      : typeof (value as { toNumber?: () => number }).toNumber === 'function'
        ? (value as { toNumber: () => number }).toNumber()
        : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Connected, but the handshake or OpenSession never answered: what an auth mismatch looks like. */
export function authMismatch(where: string, timeoutMs: number): AdapterConfigError {
  return new AdapterConfigError(`${where}: the session did not open within ${timeoutMs} ms`, {
    hint: "Does the target's auth match the server's hive.server2.authentication? (NONE and LDAP use PLAIN SASL, NOSASL none; a mismatch hangs.)",
  });
}

/** What HiveServer2 answers a PLAIN SASL handshake whose user or password LDAP (or PAM, CUSTOM) refused. */
const REFUSED_CREDENTIALS = [/Error validating the login/i, /Authentication error/i, /PLAIN auth failed/i];

/**
 * The server refused the user and password (a SASL failure during connect): configuration, not a
 * lost connection, so never retried; says so instead of "lost connection" or a timeout.
 */
export function credentialsRefused(where: string, error: unknown): AdapterConfigError | null {
  const text = errorText(error);
  if (!REFUSED_CREDENTIALS.some((p) => p.test(text))) return null;
  return new AdapterConfigError(`${where}: the server refused the user and password (${text})`, {
    cause: error,
    hint: "Check the target's user and password (for LDAP, the server's hive.server2.authentication.ldap.* settings decide which users it accepts).",
  });
}

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A TLS verification failure is configuration, not a lost connection: never retried. */
export function certificateError(where: string, error: unknown): AdapterConfigError | null {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !CERTIFICATE_CODES.has(code)) return null;
  return new AdapterConfigError(
    `${where}: the server's certificate was refused (${code}: ${errorText(error)})`,
    {
      cause: error,
      hint: "Set the target's tls.ca to the server's certificate or its CA (PEM file), or tls.rejectUnauthorized: false to skip verification.",
    },
  );
}

function withTimeout<R>(promise: Promise<R>, ms: number, error: () => Error): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const message = String((error as { message: unknown }).message);
    const code = (error as { code?: unknown }).code;
    return message || (typeof code === 'string' ? code : String(error));
  }
  return String(error);
}

// ---------------------------------------------------------------------------------------------
// The part of hive-driver's API this file uses, typed.

interface TransportLike {
  getTransport(): unknown;
}
interface AuthLike {
  authenticate(transport: TransportLike): Promise<TransportLike>;
}
interface StatusLike {
  statusCode: number;
  sqlState?: string | null;
  errorCode?: number | null;
  errorMessage?: string | null;
}
interface TableSchemaLike {
  columns: ColumnDescLike[];
}
interface ColumnDescLike {
  columnName: string;
  position: number;
  comment?: string | null;
  typeDesc: {
    types: Array<{
      primitiveEntry?: {
        type: number;
        typeQualifiers?: { qualifiers?: Record<string, { i32Value?: number | null } | undefined> } | null;
      };
    }>;
  };
}
interface ProgressLike {
  headerNames?: string[];
  rows?: string[][];
  progressedPercentage?: number;
  footerSummary?: string;
}
interface OperationStatusLike {
  status: StatusLike;
  operationState?: number;
  sqlState?: string | null;
  errorCode?: number | null;
  errorMessage?: string | null;
  hasResultSet?: boolean | null;
  numModifiedRows?: unknown;
  progressUpdateResponse?: ProgressLike | null;
}
type RawColumnLike = Record<string, { values: unknown[]; nulls?: Buffer } | null | undefined>;
interface ThriftDriverLike {
  openSession(request: {
    client_protocol: number;
    username?: string;
    password?: string;
    configuration?: Record<string, string>;
  }): Promise<{ status: StatusLike; sessionHandle: unknown }>;
  closeSession(request: { sessionHandle: unknown }): Promise<{ status: StatusLike }>;
  executeStatement(request: {
    sessionHandle: unknown;
    statement: string;
    runAsync: boolean;
  }): Promise<{ status: StatusLike; operationHandle: unknown }>;
  getOperationStatus(request: {
    operationHandle: unknown;
    getProgressUpdate?: boolean;
  }): Promise<OperationStatusLike>;
  getResultSetMetadata(request: {
    operationHandle: unknown;
  }): Promise<{ status: StatusLike; schema?: TableSchemaLike }>;
  fetchResults(request: {
    operationHandle: unknown;
    orientation: number;
    maxRows: number;
    fetchType: number;
  }): Promise<{
    status: StatusLike;
    hasMoreRows?: boolean;
    results?: { columns?: RawColumnLike[] } & Record<string, unknown>;
  }>;
  cancelOperation(request: { operationHandle: unknown }): Promise<{ status: StatusLike }>;
  closeOperation(request: { operationHandle: unknown }): Promise<{ status: StatusLike }>;
  getTables(request: {
    sessionHandle: unknown;
    schemaName: string;
    tableName: string;
  }): Promise<{ status: StatusLike; operationHandle: unknown }>;
  getInfo(request: {
    sessionHandle: unknown;
    infoType: number;
  }): Promise<{ status: StatusLike; infoValue?: Record<string, unknown> }>;
}
interface HiveClientLike {
  connect(
    options: { host: string; port: number; options?: Record<string, unknown> },
    connection: unknown,
    auth: AuthLike,
  ): Promise<unknown>;
  getClient(): unknown;
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(): void;
}
interface HiveDriverModule {
  HiveClient: new (service: unknown, types: unknown) => HiveClientLike;
  HiveDriver: new (types: unknown, client: unknown) => unknown;
  auth: {
    NoSaslAuthentication: new () => AuthLike;
    PlainTcpAuthentication: new (options?: { username?: string; password?: string }) => AuthLike;
    PlainHttpAuthentication: new (options?: { username?: string; password?: string }) => AuthLike;
    KerberosTcpAuthentication: new (
      options: { username?: string; password?: string },
      process: unknown,
    ) => AuthLike;
    KerberosHttpAuthentication: new (
      options: { username?: string; password?: string },
      process: unknown,
    ) => AuthLike;
    helpers: {
      MongoKerberosAuthProcess: new (
        options: { fqdn: string; service: string },
        kerberos: unknown,
      ) => unknown;
    };
  };
  connections: { TcpConnection: new () => unknown; HttpConnection: new () => unknown };
  thrift: { TCLIService: unknown; TCLIService_types: unknown };
}

/**
 * The HiveServer2 adapter: one for Apache Hive, Spark Thrift Server and Kyuubi. A pool of
 * sessions (one per concurrent statement), retries of transient failures on a fresh session,
 * capability flags detected at connect, and a metadata cache (metadata.ts).
 */
import type { HiveTarget } from '../../config/types.js';
import type { Adapter, AdapterCapabilities, ExecuteOptions, QueryResult, RelationInfo } from '../types.js';
import { detectCapabilities } from './capabilities.js';
import { CancelledError, HiveStatementError, isSessionBroken } from './errors.js';
import {
  kindOfTableType,
  MetadataCache,
  parseDescribeFormatted,
  statementEffect,
  type MetadataStats,
} from './metadata.js';
import { SessionPool, type PoolStats } from './pool.js';
import { withRetry, type BackoffOptions } from './retry.js';
import { HiveServerSession, type SessionOptions, type SqlSession } from './session.js';

export interface HiveAdapterOptions {
  /** Where the server's operation log, progress, connects and retries go (the runner's log). */
  log?: (line: string) => void;
  /** Sessions at most (`--threads`); default the target's `threads`. */
  threads?: number;
  /** Backoff between retries. Default 500 ms doubling to 10 s. */
  backoff?: BackoffOptions;
  /** Opens one session; tests pass fakes. Default: a HiveServer2 session from the target. */
  openSession?: () => Promise<SqlSession>;
}

export interface AdapterStats {
  statements: number;
  retries: number;
  metadata: MetadataStats;
  pool: PoolStats;
}

export class HiveAdapter implements Adapter {
  private readonly metadata: MetadataCache;
  private readonly knownSchemas = new Set<string>();
  private cancelScope = new AbortController();
  private statements = 0;
  private retries = 0;
  private closed = false;

  private constructor(
    readonly capabilities: AdapterCapabilities,
    readonly pool: SessionPool,
    private readonly retryCount: number,
    private readonly options: HiveAdapterOptions,
  ) {
    this.metadata = new MetadataCache({
      listRelations: (schema) => this.readListing(schema),
      describeRelation: (schema, name) => this.readDescription(schema, name),
    });
  }

  /** Connects (with retries), detects the engine's capabilities, and keeps that first session. */
  static async connect(target: HiveTarget, options: HiveAdapterOptions = {}): Promise<HiveAdapter> {
    const open = options.openSession ?? (() => HiveServerSession.open(sessionOptionsOf(target)));
    const retries = Math.max(0, target.retries ?? 0);
    const started = performance.now();
    const first = await withRetry(() => open(), {
      retries,
      ...options.backoff,
      onRetry: (error, attempt, delay) =>
        options.log?.(`connect failed (${message(error)}); retry ${attempt}/${retries} in ${delay} ms`),
    });
    let capabilities: AdapterCapabilities;
    try {
      capabilities = await detectCapabilities({
        serverInfo: () => first.serverInfo(),
        ask: async (sql) => (await first.execute(sql)).rows,
      });
    } catch (error) {
      await first.close().catch(() => undefined);
      throw error;
    }
    const threads = Math.max(1, options.threads ?? target.threads ?? 1);
    const pool = new SessionPool(open, threads);
    pool.adopt(first);
    const declared = typeof target.extra?.engine === 'string' ? target.extra.engine.toLowerCase() : null;
    options.log?.(
      `connected to ${capabilities.engine} ${capabilities.version} at ${target.host}:${target.port} ` +
        `(${target.transport}, auth ${target.auth}) in ${Math.round(performance.now() - started)} ms; ` +
        `merge ${capabilities.supportsMerge ? 'yes' : 'no'}, acid ${capabilities.supportsAcid ? 'yes' : 'no'}; ` +
        `up to ${threads} sessions`,
    );
    if (declared && declared !== capabilities.engine)
      options.log?.(
        `the target says engine '${declared}', the server is ${capabilities.engine}: using what the server says`,
      );
    return new HiveAdapter(capabilities, pool, retries, options);
  }

  async execute(sql: string, options: ExecuteOptions = {}): Promise<QueryResult> {
    const statement = sql.trim().replace(/;\s*$/, '');
    const effect = statementEffect(statement);
    const signal = this.signalFor(options.signal);
    const prefix = options.nodeId ? `${options.nodeId}: ` : '';
    const log = this.options.log ? (line: string) => this.options.log!(`${prefix}${line}`) : undefined;
    this.statements++;
    try {
      const result = await this.withSession(
        (session) => session.execute(statement, { signal, maxRows: options.maxRows, log }),
        signal,
        `${prefix}${firstWords(statement)}`,
      );
      this.metadata.afterStatement(effect, true);
      if (effect.kind === 'dropSchema') this.knownSchemas.delete(effect.schema);
      return result;
    } catch (error) {
      this.metadata.afterStatement(effect, false);
      throw error;
    }
  }

  listRelations(schema: string): Promise<Map<string, RelationInfo>> {
    return this.metadata.listRelations(schema);
  }

  describeRelation(schema: string, name: string): Promise<RelationInfo | null> {
    return this.metadata.describeRelation(schema, name);
  }

  invalidate(schema: string, name?: string): void {
    this.metadata.invalidate(schema, name);
  }

  async createSchemaIfMissing(schema: string): Promise<void> {
    const key = schema.toLowerCase();
    if (this.knownSchemas.has(key)) return;
    await this.execute(`CREATE DATABASE IF NOT EXISTS ${quote(schema)}`);
    this.knownSchemas.add(key);
  }

  /** Cancels every running statement on the server, and statements waiting for a session or a retry. */
  async cancelAll(): Promise<void> {
    const scope = this.cancelScope;
    this.cancelScope = new AbortController();
    scope.abort();
    await this.pool.cancelAll();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelScope.abort();
    await this.pool.close();
  }

  stats(): AdapterStats {
    return {
      statements: this.statements,
      retries: this.retries,
      metadata: { ...this.metadata.stats },
      pool: this.pool.stats(),
    };
  }

  /** Runs `fn` on a pooled session; transient failures retry on a fresh one with backoff. */
  private withSession<T>(
    fn: (session: SqlSession) => Promise<T>,
    signal: AbortSignal,
    what: string,
  ): Promise<T> {
    return withRetry(
      async () => {
        if (signal.aborted) throw new CancelledError(`Cancelled: ${what}`);
        const session = await this.pool.acquire(signal);
        try {
          const result = await fn(session);
          this.pool.release(session);
          return result;
        } catch (error) {
          if (session.broken || isSessionBroken(error)) this.pool.discard(session);
          else this.pool.release(session);
          throw signal.aborted && !(error instanceof CancelledError)
            ? new CancelledError(`Cancelled: ${what}`)
            : error;
        }
      },
      {
        retries: this.retryCount,
        ...this.options.backoff,
        signal,
        onRetry: (error, attempt, delay) => {
          this.retries++;
          this.options.log?.(
            `${what}: ${message(error)}; reconnecting, retry ${attempt}/${this.retryCount} in ${delay} ms`,
          );
        },
      },
    );
  }

  private signalFor(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.cancelScope.signal]) : this.cancelScope.signal;
  }

  private async readListing(schema: string): Promise<RelationInfo[]> {
    const signal = this.signalFor(undefined);
    const entries = await this.withSession((s) => s.listTables(schema), signal, `list ${schema}`);
    return entries.map((e) => ({ schema, name: e.name.toLowerCase(), kind: kindOfTableType(e.type) }));
  }

  private async readDescription(schema: string, name: string): Promise<RelationInfo | null> {
    const signal = this.signalFor(undefined);
    const sql = `DESCRIBE FORMATTED ${quote(schema)}.${quote(name)}`;
    try {
      const result = await this.withSession((s) => s.execute(sql, { signal }), signal, sql);
      return parseDescribeFormatted(schema, name, result.rows);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

/** The target's connection settings for one session. */
export function sessionOptionsOf(target: HiveTarget): SessionOptions {
  return {
    host: target.host,
    port: target.port,
    transport: target.transport ?? 'binary',
    httpPath: target.httpPath,
    auth: target.auth ?? 'NONE',
    user: target.user,
    password: target.password,
    tls: target.tls,
    kerberos: target.kerberos,
    session: target.session ?? {},
    connectTimeoutMs: Math.max(1, target.connectTimeoutSeconds ?? 30) * 1000,
  };
}

/** The server said the relation (or its schema) does not exist. */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof HiveStatementError)) return false;
  if (
    error.sqlState === '42S02' ||
    error.sqlState === '42P01' ||
    (error.sqlState === '42000' && /not found/i.test(error.serverMessage))
  )
    return true;
  return /Table not found|TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND|Database does not exist|NoSuchTableException|NoSuchDatabaseException/i.test(
    error.serverMessage,
  );
}

export function quote(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstWords(sql: string): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 80)}...` : line;
}

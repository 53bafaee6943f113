/**
 * The adapter's errors and their classification: which failures are worth a reconnect and a
 * retry (transport trouble, a server that restarted) and which fail at once with the server's
 * own words (compile, semantic and run-time errors of the statement).
 */
import { QdbtError } from '../../errors.js';

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
    super('runtime', firstLineOf(serverMessage), { hint: options.hint, cause: options.cause });
    this.name = 'HiveError';
    this.serverMessage = serverMessage;
    this.sqlState = options.sqlState;
    this.errorCode = options.errorCode;
  }
}

function firstLineOf(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}...` : line;
}

/** The server rejected a statement. `message` is the useful line of what it said. */
export class HiveStatementError extends HiveError {
  constructor(
    serverMessage: string,
    options: { sqlState?: string; errorCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(serverMessage, options);
    this.name = 'HiveStatementError';
    this.message = serverErrorMessage(serverMessage);
  }
}

/** The Thrift connection or the HiveServer2 session is gone: reconnecting may help. */
export class ConnectionLostError extends HiveError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options);
    this.name = 'ConnectionLostError';
  }
}

/** The statement was cancelled (cancelAll, an aborted signal, or on the server). Never retried. */
export class CancelledError extends HiveError {
  constructor(message: string) {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Errors that also fail at once: bad configuration (an uninstalled Kerberos, an auth mismatch). */
export class AdapterConfigError extends HiveError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options);
    this.name = 'AdapterConfigError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETRESET',
  'EAI_AGAIN',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
]);

/** What the server says when the session or operation it is asked about no longer exists. */
const GONE_PATTERNS = [
  /Invalid SessionHandle/i,
  /Invalid OperationHandle/i,
  /Session (?:handle )?(?:is )?(?:closed|not found|does not exist)/i,
  /HiveServer2 (?:is )?(?:shutting down|stopped)/i,
  // A graceful stop: the server refuses new statements before it closes its port.
  /HiveServer2 is decommissioned or inactive/i,
];

const TRANSPORT_PATTERNS = [
  /TTransportException/i,
  /connection (?:is )?lost/i,
  /connection (?:was )?(?:reset|closed|refused)/i,
  /socket hang up/i,
  /broken pipe/i,
  /\bECONNRESET\b|\bECONNREFUSED\b|\bEPIPE\b|\bETIMEDOUT\b/,
];

/** Compile, parse and semantic errors: never worth a retry, whatever else the text says. */
const STATEMENT_PATTERNS = [
  /Error while compiling statement/i,
  /SemanticException|ParseException|AnalysisException/,
  /\[(?:PARSE_SYNTAX_ERROR|TABLE_OR_VIEW_NOT_FOUND|UNRESOLVED_COLUMN[A-Z_.]*|SCHEMA_NOT_FOUND)\]/,
];

/** Whether reconnecting and running the statement again may succeed. */
export function isTransient(error: unknown): boolean {
  if (error instanceof CancelledError || error instanceof AdapterConfigError) return false;
  if (error instanceof ConnectionLostError) return true;
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    sqlState?: unknown;
    statusCode?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : '';
  const full = error instanceof HiveError ? error.serverMessage : message;
  if (typeof e.sqlState === 'string' && /^42/.test(e.sqlState)) return false;
  // The statement never compiled (HiveServer2 busy or stopping): running it again is safe.
  if (/Attempt to acquire compile lock timed out/i.test(full)) return true;
  if (STATEMENT_PATTERNS.some((p) => p.test(full))) return false;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (e.name === 'TTransportException') return true;
  if (e.name === 'THTTPException')
    return typeof e.statusCode === 'number' ? e.statusCode >= 500 || e.statusCode === 429 : true;
  if (GONE_PATTERNS.some((p) => p.test(full))) return true;
  if (TRANSPORT_PATTERNS.some((p) => p.test(full))) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error ? isTransient(cause) : false;
}

/** Whether the session this error came from can no longer be used (discard it from the pool). */
export function isSessionBroken(error: unknown): boolean {
  if (error instanceof ConnectionLostError) return true;
  if (error instanceof CancelledError || error instanceof AdapterConfigError) return false;
  if (!isTransient(error)) return false;
  return true;
}

const JAVA_EXCEPTION_PREFIX = /^(?:[a-z][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::\s*|$)/;

/**
 * The line of a server error worth showing. Hive's messages are one line already
 * (`Error while compiling statement: FAILED: SemanticException ...`). Spark sends whole Java
 * stack traces whose first line is wrapped in exception class names:
 * `org.apache.hive.service.cli.HiveSQLException: Error running query: [TABLE_OR_VIEW_NOT_FOUND]
 * org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table ...`; a
 * ParseException puts its message on the next line. Keep the message, drop the wrapping.
 */
export function serverErrorMessage(text: string): string {
  const lines = text.split(/\r?\n/);
  let message = '';
  let tag = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (/^at\s+[\w$.<>]+\(/.test(line) || /^Caused by:/.test(line)) break;
    const cleaned = stripJavaWrapping(line);
    // `[PARSE_SYNTAX_ERROR] ...ParseException: ` with the message on the next line.
    if (/^\[[A-Z0-9_.]+\]$/.test(cleaned)) {
      tag = cleaned;
      continue;
    }
    if (cleaned) {
      message = tag && !cleaned.startsWith(tag) ? `${tag} ${cleaned}` : cleaned;
      break;
    }
  }
  if (!message) message = tag;
  if (!message) message = (lines[0] ?? '').trim() || 'the statement failed';
  return message.length > 1000 ? `${message.slice(0, 1000)}...` : message;
}

function stripJavaWrapping(line: string): string {
  let rest = line;
  for (;;) {
    const before = rest;
    rest = rest.replace(JAVA_EXCEPTION_PREFIX, '');
    rest = rest.replace(/^Error running query:\s*/, '');
    // `[CODE] org.apache...Exception: [CODE] message`: keep one [CODE].
    const tagged = /^(\[[A-Z0-9_.]+\])\s+((?:[a-z][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)):\s*(.*)$/.exec(
      rest,
    );
    if (tagged) rest = tagged[3]!.startsWith(tagged[1]!) ? tagged[3]! : `${tagged[1]} ${tagged[3]}`;
    if (rest === before) break;
  }
  return rest.trim();
}

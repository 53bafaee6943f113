/**
 * A small WebHDFS client on node:http.
 *
 * Not on fetch: the DataNode answers the CREATE/APPEND data step with an unasked
 * `HTTP/1.1 100 Continue` before its `201`, which undici rejects ("fetch failed") although the bytes
 * were written. node:http handles it. Redirects are followed by hand (two-step CREATE and OPEN).
 */
import http from 'node:http';
import { Readable, type Writable } from 'node:stream';
import { QdbtError } from '../../errors.js';

export interface WebHdfsOptions {
  /** NameNode HTTP address, e.g. `http://127.0.0.1:9870`. */
  url: string;
  /** A second NameNode (HA): requests fail over to it when the first is down or in standby. */
  standbyUrl?: string;
  /** `user.name` for simple authentication; without it requests act as the server's static user. */
  user?: string;
  /** A Hadoop delegation token (`delegation=`), used instead of `user.name` when set. */
  delegationToken?: string;
  /** Per request socket idle timeout. Default 60 s. */
  timeoutMs?: number;
  /** Attempts per NameNode call on transient failures (connection refused/reset, 503, Standby/RetriableException). Default 4. */
  attempts?: number;
  /** First retry delay, doubled each time. Default 200 ms. */
  retryDelayMs?: number;
  /** Parallel sockets per host. Default 8. */
  maxSockets?: number;
}

/** Exceptions that mean "ask again" (or "ask the other NameNode"). */
const TRANSIENT_EXCEPTIONS = new Set([
  'StandbyException',
  'RetriableException',
  'SafeModeException',
  'ObserverRetryOnActiveException',
]);
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  owner: string;
  group: string;
  permission: string;
  modificationTime: number;
  accessTime: number;
  replication: number;
  blockSize: number;
}

/**
 * A body that writes itself into the request: `request.write(chunk, callback)` says when each chunk
 * was handed to the socket, so a producer can reuse its buffers (no stream in between, no fresh
 * allocation per chunk). It stops the upload with `request.destroy(error)`. With `length`, sent as
 * Content-Length instead of chunked (one write per chunk rather than four): the producer must write
 * exactly that many bytes, or destroy the request.
 */
export interface DirectBody {
  readonly length?: number;
  writeTo(request: Writable): void;
}

export type WriteBody = Buffer | string | Readable | AsyncIterable<Buffer | string> | DirectBody;

function isDirect(body: WriteBody): body is DirectBody {
  return typeof (body as Partial<DirectBody>).writeTo === 'function';
}

/** An error WebHDFS reported as a RemoteException, or a transport failure (status 0). */
export class WebHdfsError extends QdbtError {
  /** `FileNotFoundException`, `FileAlreadyExistsException`, `AccessControlException`, ... */
  readonly exception: string;
  readonly javaClassName: string;
  readonly status: number;
  readonly path: string;
  constructor(
    op: string,
    path: string,
    status: number,
    exception: string,
    javaClassName: string,
    remoteMessage: string,
    cause?: unknown,
  ) {
    super('runtime', `WebHDFS ${op} ${path}: ${exception ? `${exception}: ` : ''}${remoteMessage}`, {
      cause,
    });
    this.name = 'WebHdfsError';
    this.exception = exception;
    this.javaClassName = javaClassName;
    this.status = status;
    this.path = path;
  }
  get notFound(): boolean {
    return this.exception === 'FileNotFoundException';
  }
  get alreadyExists(): boolean {
    return this.exception === 'FileAlreadyExistsException';
  }
  /** Worth retrying, possibly on the other NameNode: transport failures, 503, Standby/Retriable/SafeMode. */
  get transient(): boolean {
    if (this.status === 0) {
      const code = (this.cause as { code?: string } | undefined)?.code;
      return code === undefined || TRANSIENT_CODES.has(code) || /timed out|socket hang up/.test(this.message);
    }
    return this.status === 503 || TRANSIENT_EXCEPTIONS.has(this.exception);
  }
  /** The NameNode asked is not the active one. */
  get standby(): boolean {
    return this.exception === 'StandbyException' || this.exception === 'ObserverRetryOnActiveException';
  }
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class WebHdfsClient {
  /** The NameNodes, the one believed active first. */
  private readonly bases: URL[];
  private active = 0;
  private readonly agent: http.Agent;

  constructor(readonly options: WebHdfsOptions) {
    this.bases = [options.url, options.standbyUrl]
      .filter((u): u is string => !!u)
      .map((u) => {
        const url = new URL(u);
        if (url.protocol !== 'http:')
          throw new QdbtError('usage', `WebHDFS URL must be http://host:port, not '${u}'`, {
            hint: 'Set hdfs_url in the profile target, e.g. hdfs_url: http://127.0.0.1:9870',
          });
        return url;
      });
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 8 });
  }

  /** The NameNode currently used. */
  get activeUrl(): string {
    return this.bases[this.active]!.origin;
  }

  /** GETFILECHECKSUM (HDFS' MD5-of-CRC, comparable between HDFS files only). */
  async checksum(path: string): Promise<{ algorithm: string; bytes: string; length: number }> {
    const json = await this.json('GET', 'GETFILECHECKSUM', path);
    return (json as { FileChecksum: { algorithm: string; bytes: string; length: number } }).FileChecksum;
  }

  /** GETCONTENTSUMMARY: files, folders and bytes below a path. */
  async contentSummary(path: string): Promise<{ fileCount: number; directoryCount: number; length: number }> {
    const json = await this.json('GET', 'GETCONTENTSUMMARY', path);
    return (json as { ContentSummary: { fileCount: number; directoryCount: number; length: number } })
      .ContentSummary;
  }

  /** LISTSTATUS: the entries of a directory (or the file itself). */
  async list(path: string): Promise<FileStatus[]> {
    const json = await this.json('GET', 'LISTSTATUS', path);
    return (json as { FileStatuses: { FileStatus: FileStatus[] } }).FileStatuses.FileStatus;
  }

  /** GETFILESTATUS, or null when the path does not exist. */
  async status(path: string): Promise<FileStatus | null> {
    try {
      const json = await this.json('GET', 'GETFILESTATUS', path);
      return (json as { FileStatus: FileStatus }).FileStatus;
    } catch (error) {
      if (error instanceof WebHdfsError && error.notFound) return null;
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.status(path)) !== null;
  }

  /** MKDIRS (with parents). */
  async mkdirs(path: string, permission?: string): Promise<boolean> {
    const json = await this.json('PUT', 'MKDIRS', path, permission ? { permission } : {});
    return (json as { boolean: boolean }).boolean;
  }

  /** RENAME; false when the source is missing or the destination exists (WebHDFS says no more). */
  async rename(from: string, to: string): Promise<boolean> {
    const json = await this.json('PUT', 'RENAME', from, { destination: to });
    return (json as { boolean: boolean }).boolean;
  }

  /** DELETE; false when nothing was there. A non-empty directory needs `recursive`. */
  async delete(path: string, options: { recursive?: boolean } = {}): Promise<boolean> {
    const json = await this.json('DELETE', 'DELETE', path, { recursive: String(options.recursive ?? false) });
    return (json as { boolean: boolean }).boolean;
  }

  async setPermission(path: string, permission: string): Promise<void> {
    await this.call('PUT', 'SETPERMISSION', path, { permission });
  }

  /** Two-step CREATE: the NameNode names a DataNode, the bytes go there. */
  async create(
    path: string,
    body: WriteBody,
    options: { overwrite?: boolean; permission?: string; replication?: number } = {},
  ): Promise<void> {
    const params: Record<string, string> = { overwrite: String(options.overwrite ?? false) };
    if (options.permission) params.permission = options.permission;
    if (options.replication) params.replication = String(options.replication);
    const first = await this.call('PUT', 'CREATE', path, params, undefined, [307]);
    const location = this.location(first, 'CREATE', path);
    await this.send('PUT', location, 'CREATE', path, body, [201]);
  }

  /** Two-step APPEND. */
  async append(path: string, body: WriteBody): Promise<void> {
    const first = await this.call('POST', 'APPEND', path, {}, undefined, [307]);
    await this.send('POST', this.location(first, 'APPEND', path), 'APPEND', path, body, [200]);
  }

  /** OPEN, whole file in memory. */
  async read(path: string, options: { offset?: number; length?: number } = {}): Promise<Buffer> {
    const stream = await this.openStream(path, options);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** OPEN as a stream (the redirect to the DataNode is followed). */
  async openStream(path: string, options: { offset?: number; length?: number } = {}): Promise<Readable> {
    const params: Record<string, string> = {};
    if (options.offset !== undefined) params.offset = String(options.offset);
    if (options.length !== undefined) params.length = String(options.length);
    const first = await this.call('GET', 'OPEN', path, params, undefined, [307, 200]);
    if (first.status === 200) return Readable.from([first.body]);
    const location = this.location(first, 'OPEN', path);
    const response = await this.raw('GET', new URL(location), undefined, 'OPEN', path, true);
    if (response.statusCode !== 200) {
      const body = await collect(response);
      throw this.remoteError('OPEN', path, response.statusCode ?? 0, body);
    }
    return response;
  }

  close(): void {
    this.agent.destroy();
  }

  // -------------------------------------------------------------------------------------------

  private url(op: string, path: string, params: Record<string, string>): URL {
    if (!path.startsWith('/')) throw new QdbtError('usage', `HDFS paths must be absolute, not '${path}'`);
    const url = new URL(
      `/webhdfs/v1${path.split('/').map(encodeURIComponent).join('/')}`,
      this.bases[this.active],
    );
    url.searchParams.set('op', op);
    if (this.options.delegationToken) url.searchParams.set('delegation', this.options.delegationToken);
    else if (this.options.user) url.searchParams.set('user.name', this.options.user);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  private async json(
    method: string,
    op: string,
    path: string,
    params: Record<string, string> = {},
  ): Promise<unknown> {
    const response = await this.call(method, op, path, params);
    try {
      return JSON.parse(response.body.toString('utf8'));
    } catch (error) {
      throw new WebHdfsError(
        op,
        path,
        response.status,
        '',
        '',
        `not JSON: ${response.body.toString('utf8', 0, 200)}`,
        error,
      );
    }
  }

  private async call(
    method: string,
    op: string,
    path: string,
    params: Record<string, string> = {},
    body?: WriteBody,
    expect: number[] = [200],
  ): Promise<Response> {
    const attempts = Math.max(1, this.options.attempts ?? 4);
    let delay = this.options.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.raw(method, this.url(op, path, params), body, op, path, false);
        const buffer = await collect(response);
        const status = response.statusCode ?? 0;
        if (!expect.includes(status)) throw this.remoteError(op, path, status, buffer);
        return { status, headers: response.headers, body: buffer };
      } catch (error) {
        // A streamed body cannot be sent twice; everything else sent to the NameNode is idempotent here.
        const replayable = body === undefined || Buffer.isBuffer(body) || typeof body === 'string';
        if (!(error instanceof WebHdfsError) || !error.transient || !replayable || attempt >= attempts)
          throw error;
        if (this.bases.length > 1 && (error.standby || error.status === 0)) {
          this.active = (this.active + 1) % this.bases.length;
          if (attempt === 1) continue; // the other NameNode at once
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }

  private async send(
    method: string,
    location: string,
    op: string,
    path: string,
    body: WriteBody,
    expect: number[],
  ): Promise<void> {
    const response = await this.raw(method, new URL(location), body, op, path, false);
    const buffer = await collect(response);
    if (!expect.includes(response.statusCode ?? 0))
      throw this.remoteError(op, path, response.statusCode ?? 0, buffer);
  }

  private location(response: Response, op: string, path: string): string {
    const location = response.headers.location;
    if (!location)
      throw new WebHdfsError(op, path, response.status, '', '', 'the NameNode sent no redirect Location');
    return location;
  }

  private raw(
    method: string,
    url: URL,
    body: WriteBody | undefined,
    op: string,
    path: string,
    _stream: boolean,
  ): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      if (body !== undefined) headers['content-type'] = 'application/octet-stream';
      if (Buffer.isBuffer(body) || typeof body === 'string')
        headers['content-length'] = Buffer.byteLength(body);
      else if (body !== undefined && isDirect(body) && body.length !== undefined)
        headers['content-length'] = body.length;
      const request = http.request(
        url,
        { method, agent: this.agent, headers, timeout: this.options.timeoutMs ?? 60_000 },
        resolve,
      );
      const fail = (error: unknown): void => {
        request.destroy();
        reject(new WebHdfsError(op, path, 0, '', '', `${url.host}: ${(error as Error).message}`, error));
      };
      request.on('error', fail);
      request.on('timeout', () => fail(new Error('timed out')));
      if (body === undefined) request.end();
      else if (Buffer.isBuffer(body) || typeof body === 'string') request.end(body);
      else if (isDirect(body)) body.writeTo(request);
      else {
        const source = body instanceof Readable ? body : Readable.from(body);
        // A body stopped before its end (destroyed, with or without an error) fails the request
        // rather than leaving it waiting for bytes until the timeout.
        if (source.destroyed) {
          fail(source.errored ?? new Error('the request body was stopped before its end'));
          return;
        }
        source.on('error', fail);
        source.on('close', () => {
          if (!source.readableEnded) fail(new Error('the request body was stopped before its end'));
        });
        source.pipe(request);
      }
    });
  }

  private remoteError(op: string, path: string, status: number, body: Buffer): WebHdfsError {
    try {
      const json = JSON.parse(body.toString('utf8')) as {
        RemoteException?: { exception?: string; javaClassName?: string; message?: string };
      };
      const remote = json.RemoteException;
      if (remote)
        return new WebHdfsError(
          op,
          path,
          status,
          remote.exception ?? '',
          remote.javaClassName ?? '',
          remote.message ?? '',
        );
    } catch {
      /* not JSON */
    }
    return new WebHdfsError(op, path, status, '', '', `HTTP ${status} ${body.toString('utf8', 0, 300)}`);
  }
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

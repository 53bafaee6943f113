import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { WebHdfsError, type WriteBody } from '../../../../src/ingest/hdfs/webhdfs.js';

/**
 * The WebHDFS calls batch landing makes, kept in memory, for unit tests of the landing logic; the
 * same logic runs against the real HDFS in tests/integration/ingest-batch.test.ts.
 */
export class MemoryHdfs {
  readonly files = new Map<string, Buffer>();
  /** Folders made with mkdirs (folders holding files exist implicitly), with their modification time. */
  readonly dirs = new Map<string, number>();
  /** Files' modification times (ms), set by create and append from `clock`. */
  readonly mtimes = new Map<string, number>();
  clock = (): number => Date.now();
  ledgerWrites = 0;
  /** Paths read, in order. */
  readonly reads: string[] = [];
  /** Calls by operation: `mkdirs`, `list`, `delete`, ... */
  readonly calls = new Map<string, number>();
  private count(op: string): void {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
  }
  private async body(body: WriteBody): Promise<Buffer> {
    if (typeof body === 'string' || Buffer.isBuffer(body)) return Buffer.from(body);
    const chunks: Buffer[] = [];
    if ('writeTo' in body) {
      // Copied as written: the writer reads into its buffers again once a write's callback ran.
      const request = new Writable({
        write(c: Buffer, _encoding, callback) {
          chunks.push(Buffer.from(c));
          setImmediate(callback);
        },
      });
      body.writeTo(request);
      await finished(request);
    } else for await (const c of body) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  }
  async create(path: string, body: WriteBody, options: { overwrite?: boolean } = {}): Promise<void> {
    if (this.files.has(path) && !options.overwrite) throw new Error(`${path} exists`);
    if (path.includes('/_qdbt_ledger/')) this.ledgerWrites++;
    this.files.set(path, await this.body(body));
    this.mtimes.set(path, this.clock());
  }
  async append(path: string, body: WriteBody): Promise<void> {
    this.ledgerWrites++;
    const was = this.files.get(path);
    if (!was) throw new WebHdfsError('APPEND', path, 404, 'FileNotFoundException', '', 'not found');
    this.files.set(path, Buffer.concat([was, await this.body(body)]));
    this.mtimes.set(path, this.clock());
  }
  async read(path: string): Promise<Buffer> {
    this.reads.push(path);
    const data = this.files.get(path);
    if (!data) throw new WebHdfsError('OPEN', path, 404, 'FileNotFoundException', '', 'not found');
    return data;
  }
  async status(path: string) {
    const data = this.files.get(path);
    if (!data) return null;
    const name = path.slice(path.lastIndexOf('/') + 1);
    return {
      pathSuffix: name,
      type: 'FILE',
      length: data.length,
      modificationTime: this.mtimes.get(path) ?? 0,
    };
  }
  /** One level, as LISTSTATUS: files, and folders (made, or holding files). */
  async list(dir: string) {
    this.count('list');
    const entries = new Map<
      string,
      { pathSuffix: string; type: string; length: number; modificationTime: number }
    >();
    for (const [paths, isDir] of [
      [[...this.files.keys()], false],
      [[...this.dirs.keys()], true],
    ] as const)
      for (const p of paths) {
        if (!p.startsWith(`${dir}/`)) continue;
        const rest = p.slice(dir.length + 1);
        const name = rest.split('/')[0]!;
        const folder = isDir || rest.includes('/');
        const full = `${dir}/${name}`;
        const modificationTime = folder ? (this.dirs.get(full) ?? 0) : (this.mtimes.get(full) ?? 0);
        const length = folder ? 0 : this.files.get(full)!.length;
        if (!entries.has(name))
          entries.set(name, {
            pathSuffix: name,
            type: folder ? 'DIRECTORY' : 'FILE',
            length,
            modificationTime,
          });
      }
    if (!entries.size && !this.dirs.has(dir))
      throw new WebHdfsError('LISTSTATUS', dir, 404, 'FileNotFoundException', '', 'not found');
    return [...entries.values()];
  }
  async rename(from: string, to: string): Promise<boolean> {
    const data = this.files.get(from);
    if (!data || this.files.has(to)) return false;
    this.files.delete(from);
    this.files.set(to, data);
    this.mtimes.set(to, this.mtimes.get(from) ?? this.clock());
    this.mtimes.delete(from);
    return true;
  }
  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }
  async delete(path: string, options: { recursive?: boolean } = {}): Promise<boolean> {
    this.count('delete');
    let deleted = this.files.delete(path);
    if (options.recursive) {
      for (const map of [this.files, this.dirs])
        for (const p of [...map.keys()])
          if (p === path || p.startsWith(`${path}/`)) deleted = map.delete(p) || deleted;
    }
    return deleted;
  }
  /** Makes the folder and its parents; `mtime` (ms) for folders whose age matters. */
  async mkdirs(path: string, mtime = Date.now()): Promise<boolean> {
    this.count('mkdirs');
    for (let p = path; p.length > 1; p = p.slice(0, p.lastIndexOf('/'))) this.dirs.set(p, mtime);
    return true;
  }
  text(path: string): string {
    return this.files.get(path)!.toString('utf8');
  }
  /** Every path, sorted. */
  paths(): string[] {
    return [...this.files.keys()].sort();
  }
}

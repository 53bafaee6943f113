import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { WebHdfsError, type WriteBody } from '../../../../src/ingest/hdfs/webhdfs.js';

/**
 * The WebHDFS calls batch landing makes, kept in memory, for unit tests of the landing logic; the
 * same logic runs against the real HDFS in tests/integration/ingest-batch.test.ts.
 */
export class MemoryHdfs {
  readonly files = new Map<string, Buffer>();
  ledgerWrites = 0;
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
  }
  async append(path: string, body: WriteBody): Promise<void> {
    this.ledgerWrites++;
    this.files.set(path, Buffer.concat([this.files.get(path)!, await this.body(body)]));
  }
  async read(path: string): Promise<Buffer> {
    return this.files.get(path)!;
  }
  async list(dir: string) {
    const names = [...this.files.keys()]
      .filter((p) => p.startsWith(`${dir}/`))
      .map((p) => p.slice(dir.length + 1));
    if (!names.length)
      throw new WebHdfsError('LISTSTATUS', dir, 404, 'FileNotFoundException', '', 'not found');
    return names.map((pathSuffix) => ({ pathSuffix, type: 'FILE' }));
  }
  async rename(from: string, to: string): Promise<boolean> {
    const data = this.files.get(from);
    if (!data || this.files.has(to)) return false;
    this.files.delete(from);
    this.files.set(to, data);
    return true;
  }
  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }
  async delete(path: string): Promise<boolean> {
    return this.files.delete(path);
  }
  async mkdirs(): Promise<boolean> {
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

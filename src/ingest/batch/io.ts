/** Local file reading and HDFS streaming writes for the batch lander. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { WebHdfsClient } from '../hdfs/webhdfs.js';

export async function sha256File(path: string): Promise<{ checksum: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { checksum: hash.digest('hex'), bytes };
}

export class NotTextError extends Error {}

export type Line = [text: string, lineNo: number];

/**
 * Lines of a local UTF-8 file with their 1-based numbers, without the line break (a trailing `\r`
 * is removed too), in batches (one per 1 MB read: a yield per line would cost more than the checks).
 * Throws NotTextError on bytes that are not UTF-8 text.
 */
export async function* readLines(path: string): AsyncGenerator<Line[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  let lineNo = 0;
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    let text: string;
    try {
      text = decoder.decode(chunk as Buffer, { stream: true });
    } catch {
      throw new NotTextError('not UTF-8 text');
    }
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.includes('\0')) throw new NotTextError('binary content (NUL bytes)');
    text = rest + text;
    let start = 0;
    const batch: Line[] = [];
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      batch.push([text.slice(start, end), ++lineNo]);
      start = nl + 1;
    }
    rest = text.slice(start);
    if (batch.length) yield batch;
  }
  try {
    rest += decoder.decode();
  } catch {
    throw new NotTextError('not UTF-8 text (cut in a character)');
  }
  if (rest.length) yield [[rest.endsWith('\r') ? rest.slice(0, -1) : rest, ++lineNo]];
}

/** Bytes handed to the HTTP request at a time. */
export const WRITE_CHUNK = 1 << 20;

/**
 * A streaming HDFS file write: text or bytes gathered in 1 MB buffers (written synchronously, no
 * allocation per row), sent with backpressure on drain().
 */
export class HdfsTextWriter {
  private readonly stream = new PassThrough({ highWaterMark: 2 * WRITE_CHUNK });
  private readonly done: Promise<void>;
  /** The buffer being filled, up to `len`. */
  buf: Buffer = Buffer.allocUnsafe(WRITE_CHUNK);
  len = 0;
  private full: Buffer[] = [];
  private failed: unknown = null;
  bytes = 0;

  constructor(
    client: WebHdfsClient,
    readonly path: string,
  ) {
    this.done = client.create(path, this.stream);
    this.done.catch((error: unknown) => {
      this.failed = error;
    });
  }

  /** Buffers; call drain() now and then (after each batch of lines). */
  write(text: string): void {
    this.room(text.length * 3);
    this.len += this.buf.write(text, this.len);
  }

  /** Makes room for `n` more bytes in `buf` at `len`. */
  room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.seal();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private seal(): void {
    if (!this.len) return;
    this.full.push(this.buf.subarray(0, this.len));
    this.bytes += this.len;
    this.buf = Buffer.allocUnsafe(WRITE_CHUNK);
    this.len = 0;
  }

  /** Sends the full buffers. */
  async drain(): Promise<void> {
    if (this.full.length) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunks = this.full;
    this.full = [];
    for (const chunk of chunks) {
      if (this.failed) throw this.failed;
      if (!this.stream.write(chunk)) await Promise.race([once(this.stream, 'drain'), this.done]);
    }
    if (this.failed) throw this.failed;
  }

  async close(): Promise<number> {
    this.seal();
    await this.flush();
    this.stream.end();
    await this.done;
    return this.bytes;
  }

  abort(): void {
    this.stream.destroy(new Error('write aborted'));
    this.done.catch(() => undefined);
  }
}

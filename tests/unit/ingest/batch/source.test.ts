/**
 * CsvSource: the bytes uploaded are the file's, in order, although chunk buffers are read into again
 * once the socket took them; the blocks checked are the file's lines; a file that changed since it
 * was listed fails.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvSource } from '../../../../src/ingest/batch/source.js';
import type { DirectBody, WebHdfsClient, WriteBody } from '../../../../src/ingest/hdfs/webhdfs.js';

const dir = mkdtempSync(join(tmpdir(), 'qdbt-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A client whose data step is a socket that takes each write after a while (copied as written). */
function slowClient(): { client: WebHdfsClient; landed: () => Buffer; length: () => number | undefined } {
  const chunks: Buffer[] = [];
  let length: number | undefined;
  let n = 0;
  const client = {
    async create(_path: string, body: WriteBody): Promise<void> {
      const direct = body as DirectBody;
      length = direct.length;
      await new Promise((resolve) => setTimeout(resolve, 5)); // the NameNode step
      const request = new Writable({
        highWaterMark: 1,
        write(c: Buffer, _encoding, callback) {
          chunks.push(Buffer.from(c));
          setTimeout(callback, n++ % 3); // flushed out of step with the reads
        },
      });
      direct.writeTo(request);
      await finished(request);
    },
  } as unknown as WebHdfsClient;
  return { client, landed: () => Buffer.concat(chunks), length: () => length };
}

function csv(rows: number): Buffer {
  const lines = ['id,name,note'];
  for (let i = 0; i < rows; i++) lines.push(`${i},name ${i} ${'x'.repeat(i % 97)},"é ""${i}"""`);
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

describe('CsvSource', () => {
  it('uploads the exact bytes and yields the exact lines while reusing its buffers', async () => {
    const content = csv(120_000); // several MiB: chunks are read into again
    expect(content.length).toBeGreaterThan(8 << 20);
    const path = join(dir, 'big.csv');
    writeFileSync(path, content);
    const { client, landed, length } = slowClient();
    const source = new CsvSource(path, { hash: true, size: content.length });
    const first = (await source.firstBlock())!;
    const upload = source.upload(client, '/x');
    const seen: Buffer[] = [];
    for await (const block of source.blocks(first)) seen.push(Buffer.from(block)); // as the checks see it
    await upload;
    expect(length()).toBe(content.length);
    expect(landed().equals(content)).toBe(true);
    expect(Buffer.concat(seen).equals(content)).toBe(true);
    expect(source.digest()).toEqual({
      checksum: createHash('sha256').update(content).digest('hex'),
      bytes: content.length,
    });
  });

  it('keeps each file exact while files in flight read into buffers the others gave back', async () => {
    const contents = [csv(40_000), csv(70_000), csv(25_000)];
    const read = async (content: Buffer, k: number): Promise<void> => {
      const path = join(dir, `shared-${k}.csv`);
      writeFileSync(path, content);
      const { client, landed } = slowClient();
      const source = new CsvSource(path, { hash: true, size: content.length });
      const first = (await source.firstBlock())!;
      const upload = source.upload(client, '/x');
      const seen: Buffer[] = [];
      for await (const block of source.blocks(first)) seen.push(Buffer.from(block));
      await upload;
      expect(landed().equals(content)).toBe(true);
      expect(Buffer.concat(seen).equals(content)).toBe(true);
      expect(source.digest().checksum).toBe(createHash('sha256').update(content).digest('hex'));
    };
    for (let pass = 0; pass < 2; pass++) await Promise.all(contents.map((c, k) => read(c, k)));
  });

  it('fails when the file is not the size it was listed with', async () => {
    const path = join(dir, 'grown.csv');
    const content = csv(50_000);
    writeFileSync(path, content);
    appendFileSync(path, '1,late,row\r\n');
    const { client } = slowClient();
    const source = new CsvSource(path, { size: content.length });
    const first = (await source.firstBlock())!;
    const upload = source.upload(client, '/x');
    upload.catch(() => undefined);
    await expect(
      (async () => {
        for await (const block of source.blocks(first)) void block;
      })(),
    ).rejects.toThrow(/changed while it was read/);
    await expect(upload).rejects.toThrow();
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { WebHdfsClient, WebHdfsError } from '../../src/ingest/hdfs/webhdfs.js';

const stack = inject('stack');
const client = new WebHdfsClient({ url: stack.webhdfsUrl });
const root = `/tmp/qdbt-it-${process.pid}`;

afterAll(async () => {
  await client.delete(root, { recursive: true }).catch(() => undefined);
  client.close();
});

describe('WebHDFS client (node:http)', () => {
  it('writes and reads back a 50 MB file', async () => {
    const data = randomBytes(50 * 1024 * 1024);
    expect(await client.mkdirs(`${root}/in`)).toBe(true);
    const t0 = performance.now();
    await client.create(`${root}/in/big.bin`, data);
    const writeMs = performance.now() - t0;
    const status = await client.status(`${root}/in/big.bin`);
    expect(status?.type).toBe('FILE');
    expect(status?.length).toBe(data.length);
    const t1 = performance.now();
    const back = await client.read(`${root}/in/big.bin`);
    const readMs = performance.now() - t1;
    expect(back.length).toBe(data.length);
    expect(createHash('sha256').update(back).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
    process.stderr.write(`[webhdfs] 50 MB write ${Math.round(writeMs)} ms, read ${Math.round(readMs)} ms\n`);
  });

  it('lists, renames, refuses to overwrite, deletes', async () => {
    await client.create(`${root}/in/a.txt`, 'hello\n');
    const names = (await client.list(`${root}/in`)).map((s) => s.pathSuffix).sort();
    expect(names).toEqual(['a.txt', 'big.bin']);
    expect(await client.rename(`${root}/in/a.txt`, `${root}/in/b.txt`)).toBe(true);
    expect((await client.read(`${root}/in/b.txt`)).toString()).toBe('hello\n');
    const exists = await client.create(`${root}/in/b.txt`, 'again').catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(WebHdfsError);
    expect((exists as WebHdfsError).alreadyExists).toBe(true);
    await client.create(`${root}/in/b.txt`, 'again', { overwrite: true });
    expect((await client.read(`${root}/in/b.txt`)).toString()).toBe('again');
    expect(await client.delete(`${root}/in/b.txt`)).toBe(true);
    expect(await client.delete(`${root}/in/b.txt`)).toBe(false);
    expect(await client.status(`${root}/in/b.txt`)).toBeNull();
  });

  it('turns RemoteExceptions into typed errors', async () => {
    const missing = await client.read(`${root}/nope.txt`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WebHdfsError);
    expect((missing as WebHdfsError).notFound).toBe(true);
    expect((missing as WebHdfsError).status).toBe(404);
    const nonEmpty = await client.delete(`${root}/in`).catch((e: unknown) => e);
    expect(nonEmpty).toBeInstanceOf(WebHdfsError);
    expect((nonEmpty as WebHdfsError).exception).toMatch(/PathIsNotEmptyDirectoryException|IOException/);
  });
});

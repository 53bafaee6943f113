/** WebHdfsClient's data step with a body that writes itself: Content-Length, bytes in order, and a stop. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';

let server: http.Server;
let base = '';
const received: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url!.startsWith('/webhdfs/')) {
      res.writeHead(307, { location: `${base}/data${req.url}` }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201).end();
    });
    req.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('WebHdfsClient.create with a DirectBody', () => {
  it('sends its bytes with Content-Length, calling back as each write is taken', async () => {
    const client = new WebHdfsClient({ url: base });
    const parts = [Buffer.alloc(300_000, 'a'), Buffer.alloc(5, 'b'), Buffer.alloc(700_000, 'c')];
    const length = parts.reduce((n, p) => n + p.length, 0);
    let flushed = 0;
    await client.create('/d/f.csv', {
      length,
      writeTo(request) {
        for (const p of parts) request.write(p, () => flushed++);
        request.end();
      },
    });
    client.close();
    const last = received.at(-1)!;
    expect(last.headers['content-length']).toBe(String(length));
    expect(last.headers['transfer-encoding']).toBeUndefined();
    expect(last.body.equals(Buffer.concat(parts))).toBe(true);
    expect(flushed).toBe(3);
  });

  it('is chunked without a length, and fails when the body stops the request', async () => {
    const client = new WebHdfsClient({ url: base, attempts: 1 });
    await client.create('/d/g.csv', {
      writeTo(request) {
        request.write(Buffer.from('x,y\n'));
        request.end();
      },
    });
    expect(received.at(-1)!.headers['transfer-encoding']).toBe('chunked');
    await expect(
      client.create('/d/h.csv', {
        writeTo(request) {
          request.write(Buffer.from('x,y\n'));
          setTimeout(() => request.destroy(new Error('the file was not read to its end')), 10);
        },
      }),
    ).rejects.toThrow(/not read to its end/);
    client.close();
  });
});

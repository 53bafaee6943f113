/**
 * WebHdfsClient's retry policy without any server: which errors are worth another attempt, and how
 * many attempts (and on which NameNode) a refused connection gets. Refused connections come from
 * ports that were just closed, so nothing answers and nothing emulates HDFS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebHdfsClient, WebHdfsError } from '../../../../src/ingest/hdfs/webhdfs.js';

function transport(code: string | undefined, message = 'boom'): WebHdfsError {
  const cause = Object.assign(new Error(message), code ? { code } : {});
  return new WebHdfsError('GETFILESTATUS', '/p', 0, '', '', `127.0.0.1:1: ${message}`, cause);
}

function remote(status: number, exception: string): WebHdfsError {
  return new WebHdfsError('GETFILESTATUS', '/p', status, exception, `org.apache.hadoop.${exception}`, 'm');
}

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('WebHdfsError: what is transient', () => {
  it('retries refused, reset and timed-out connections, not others', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN'])
      expect(transport(code).transient, code).toBe(true);
    expect(transport(undefined, 'timed out').transient).toBe(true);
    expect(transport('ERR_SOMETHING', 'socket hang up').transient).toBe(true);
    expect(transport('ERR_INVALID_URL', 'Invalid URL').transient).toBe(false);
  });

  it('retries 503 and the NameNode exceptions that mean "ask again", not the others', () => {
    expect(remote(503, '').transient).toBe(true);
    for (const e of ['StandbyException', 'RetriableException', 'SafeModeException'])
      expect(remote(403, e).transient, e).toBe(true);
    for (const e of ['FileNotFoundException', 'FileAlreadyExistsException', 'AccessControlException'])
      expect(remote(e === 'FileNotFoundException' ? 404 : 403, e).transient, e).toBe(false);
    expect(remote(500, '').transient).toBe(false);
  });

  it('says which errors mean "the other NameNode is active"', () => {
    expect(remote(403, 'StandbyException').standby).toBe(true);
    expect(remote(403, 'ObserverRetryOnActiveException').standby).toBe(true);
    expect(remote(403, 'RetriableException').standby).toBe(false);
    expect(remote(404, 'FileNotFoundException').notFound).toBe(true);
    expect(remote(403, 'FileAlreadyExistsException').alreadyExists).toBe(true);
  });
});

describe('WebHdfsClient: attempts on refused connections', () => {
  let first = 0;
  let second = 0;
  beforeAll(async () => {
    first = await closedPort();
    second = await closedPort();
  });
  afterEach(() => vi.restoreAllMocks());

  function requestedPorts(spy: { mock: { calls: unknown[][] } }): number[] {
    return spy.mock.calls.map((call) => Number((call[0] as URL).port));
  }

  it('tries one NameNode `attempts` times, waiting retryDelayMs, then twice that', async () => {
    const spy = vi.spyOn(http, 'request');
    const client = new WebHdfsClient({ url: `http://127.0.0.1:${first}`, attempts: 3, retryDelayMs: 40 });
    const t0 = performance.now();
    const error = await client.status('/p').catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    client.close();
    expect(error).toBeInstanceOf(WebHdfsError);
    expect((error as WebHdfsError).status).toBe(0);
    expect((error as WebHdfsError).transient).toBe(true);
    expect(((error as WebHdfsError).cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(requestedPorts(spy)).toEqual([first, first, first]);
    expect(elapsed).toBeGreaterThanOrEqual(40 + 80 - 5);
  });

  it('with a standby, asks the other NameNode at once, then alternates with back-off', async () => {
    const spy = vi.spyOn(http, 'request');
    const client = new WebHdfsClient({
      url: `http://127.0.0.1:${first}`,
      standbyUrl: `http://127.0.0.1:${second}`,
      attempts: 4,
      retryDelayMs: 30,
    });
    const t0 = performance.now();
    await expect(client.list('/p')).rejects.toBeInstanceOf(WebHdfsError);
    const elapsed = performance.now() - t0;
    client.close();
    expect(requestedPorts(spy)).toEqual([first, second, first, second]);
    // No wait before the first switch; 30 ms, then 60 ms before the next two attempts.
    expect(elapsed).toBeGreaterThanOrEqual(30 + 60 - 5);
    // The client remembers the NameNode it asked last.
    expect(client.activeUrl).toBe(`http://127.0.0.1:${second}`);
  });

  it('makes one attempt with attempts: 1 (and with 0)', async () => {
    const spy = vi.spyOn(http, 'request');
    for (const attempts of [1, 0]) {
      const client = new WebHdfsClient({ url: `http://127.0.0.1:${first}`, attempts, retryDelayMs: 1 });
      await expect(client.exists('/p')).rejects.toBeInstanceOf(WebHdfsError);
      client.close();
    }
    expect(requestedPorts(spy)).toEqual([first, first]);
  });
});

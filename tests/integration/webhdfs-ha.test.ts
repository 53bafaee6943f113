/**
 * WebHdfsClient against the local stack's real NameNode: failover between two NameNode URLs (one
 * of them a closed port), `user.name`, and Hadoop's RemoteExceptions as typed errors.
 */
import http from 'node:http';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { WebHdfsClient, WebHdfsError } from '../../src/ingest/hdfs/webhdfs.js';

const stack = inject('stack');
/** Nothing listens on port 1: connections are refused at once. */
const CLOSED = 'http://127.0.0.1:1';
const real = new URL(stack.webhdfsUrl).origin;
const admin = new WebHdfsClient({ url: stack.webhdfsUrl });
const root = `/tmp/qdbt-it-ha-${process.pid}-${Date.now().toString(36)}`;
const clients: WebHdfsClient[] = [];

function client(options: ConstructorParameters<typeof WebHdfsClient>[0]): WebHdfsClient {
  const c = new WebHdfsClient({ retryDelayMs: 50, ...options });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<WebHdfsError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebHdfsError);
  return error as WebHdfsError;
}

afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await admin.delete(root, { recursive: true }).catch(() => undefined);
  for (const c of [admin, ...clients]) c.close();
});

describe('WebHDFS failover between two NameNode URLs', () => {
  it('fails over from a closed first NameNode to the standby URL: create, read, list', async () => {
    const ha = client({ url: CLOSED, standbyUrl: stack.webhdfsUrl });
    expect(ha.activeUrl).toBe(CLOSED);
    // The first call (CREATE's NameNode step) meets the closed port and moves on to the real one.
    await ha.create(`${root}/failover/a.txt`, 'through the standby URL\n');
    expect(ha.activeUrl).toBe(real);
    expect((await ha.read(`${root}/failover/a.txt`)).toString()).toBe('through the standby URL\n');
    expect((await ha.list(`${root}/failover`)).map((s) => s.pathSuffix)).toEqual(['a.txt']);
    // Written to the real HDFS, not somewhere else.
    expect((await admin.status(`${root}/failover/a.txt`))?.length).toBe(24);
  });

  it('works in the reverse order too: the real NameNode first, a closed standby URL', async () => {
    const spy = vi.spyOn(http, 'request');
    const ha = client({ url: stack.webhdfsUrl, standbyUrl: CLOSED });
    await ha.create(`${root}/reverse/b.txt`, 'first URL\n');
    expect((await ha.read(`${root}/reverse/b.txt`)).toString()).toBe('first URL\n');
    expect((await ha.list(`${root}/reverse`)).map((s) => s.pathSuffix)).toEqual(['b.txt']);
    expect(ha.activeUrl).toBe(real);
    // The closed standby was never asked.
    const hosts = spy.mock.calls.map((call) => (call[0] as URL).host);
    expect(hosts.length).toBeGreaterThanOrEqual(5);
    expect(hosts).not.toContain('127.0.0.1:1');
  });

  it('a client whose both NameNode URLs fail stops after its attempts with a transient error', async () => {
    const dead = client({ url: CLOSED, standbyUrl: 'http://127.0.0.1:2', attempts: 3, retryDelayMs: 10 });
    const error = await failure(dead.list(root));
    expect(error.status).toBe(0);
    expect(error.transient).toBe(true);
  });
});

describe('WebHDFS user.name', () => {
  it('creates files and folders owned by the given user', async () => {
    const asUser = client({ url: stack.webhdfsUrl, user: 'qdbt_it_user' });
    await asUser.create(`${root}/owned/by-user.txt`, 'mine\n');
    expect(await asUser.mkdirs(`${root}/owned/folder`)).toBe(true);
    expect((await admin.status(`${root}/owned/by-user.txt`))?.owner).toBe('qdbt_it_user');
    expect((await admin.status(`${root}/owned/folder`))?.owner).toBe('qdbt_it_user');
    const listed = await asUser.list(`${root}/owned`);
    expect(listed.map((s) => [s.pathSuffix, s.owner])).toEqual([
      ['by-user.txt', 'qdbt_it_user'],
      ['folder', 'qdbt_it_user'],
    ]);
    // Without user.name, the NameNode's static user owns what is created.
    await admin.create(`${root}/owned/static.txt`, 'x');
    expect((await admin.status(`${root}/owned/static.txt`))?.owner).not.toBe('qdbt_it_user');
  });
});

describe("Hadoop's RemoteException as a typed error", () => {
  it('reading a missing file: FileNotFoundException with its Java class and message, not retried', async () => {
    const spy = vi.spyOn(http, 'request');
    const path = `${root}/errors/missing.txt`;
    const error = await failure(admin.read(path));
    expect(error.exception).toBe('FileNotFoundException');
    expect(error.javaClassName).toBe('java.io.FileNotFoundException');
    expect(error.status).toBe(404);
    expect(error.path).toBe(path);
    expect(error.notFound).toBe(true);
    expect(error.transient).toBe(false);
    // Hadoop's own message, after the exception's name.
    expect(error.message).toBe(`WebHDFS OPEN ${path}: FileNotFoundException: File ${path} not found.`);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('listing a missing folder: FileNotFoundException', async () => {
    const error = await failure(admin.list(`${root}/errors/no-folder`));
    expect(error.exception).toBe('FileNotFoundException');
    expect(error.message).toContain(`${root}/errors/no-folder`);
  });

  it('creating over an existing file without overwrite: FileAlreadyExistsException', async () => {
    const path = `${root}/errors/exists.txt`;
    await admin.create(path, 'first\n');
    const error = await failure(admin.create(path, 'second\n'));
    expect(error.exception).toBe('FileAlreadyExistsException');
    expect(error.javaClassName).toBe('org.apache.hadoop.fs.FileAlreadyExistsException');
    expect(error.status).toBe(403);
    expect(error.alreadyExists).toBe(true);
    expect(error.transient).toBe(false);
    expect(error.message).toMatch(
      new RegExp(`^WebHDFS CREATE ${path}: FileAlreadyExistsException: ${path} .*already exists`),
    );
    expect((await admin.read(path)).toString()).toBe('first\n');
  });

  it('a folder under a file: ParentNotDirectoryException', async () => {
    const file = `${root}/errors/plain.txt`;
    await admin.create(file, 'x');
    const error = await failure(admin.mkdirs(`${file}/sub`));
    expect(error.exception).toBe('ParentNotDirectoryException');
    expect(error.javaClassName).toBe('org.apache.hadoop.fs.ParentNotDirectoryException');
    expect(error.message).toContain(file);
  });
});

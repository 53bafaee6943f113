/**
 * HiveServerSession.open's connect errors, against in-process sockets: a server that accepts and
 * never answers (what a PLAIN client meets on a NOSASL server) is an auth mismatch, not a lost
 * connection; a refused TLS certificate is configuration, never retried.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterConfigError, ConnectionLostError, isTransient } from '../../../src/adapters/hive/errors.js';
import {
  HiveServerSession,
  certificateError,
  credentialsRefused,
} from '../../../src/adapters/hive/session.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

describe('HiveServerSession.open connect errors', () => {
  it('reports a server that accepts but never completes the handshake as an auth mismatch', async () => {
    const port = await silentServer();
    const started = performance.now();
    const error = await HiveServerSession.open({
      host: '127.0.0.1',
      port,
      transport: 'binary',
      auth: 'NONE',
      connectTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterConfigError);
    expect((error as Error).message).toMatch(/did not open within 300 ms/);
    expect((error as AdapterConfigError).hint).toMatch(/hive\.server2\.authentication/);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('reports a refused port as a lost connection', async () => {
    const port = await silentServer();
    await closers.pop()!();
    const error = await HiveServerSession.open({
      host: '127.0.0.1',
      port,
      transport: 'binary',
      auth: 'NONE',
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
  });

  it('fails at once on an HTTP connection error instead of waiting for the timeout', async () => {
    const port = await silentServer();
    await closers.pop()!();
    const started = performance.now();
    const error = await HiveServerSession.open({
      host: '127.0.0.1',
      port,
      transport: 'http',
      httpPath: 'cliservice',
      auth: 'NONE',
      connectTimeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});

describe('certificateError', () => {
  it('turns TLS verification failures into a configuration error with a hint', () => {
    const cause = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    const error = certificateError('HiveServer2 at h:1', cause);
    expect(error).toBeInstanceOf(AdapterConfigError);
    expect(error?.message).toMatch(/certificate was refused \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(error?.hint).toMatch(/tls\.ca/);
    expect(isTransient(error)).toBe(false);
  });

  it('leaves other errors alone', () => {
    expect(certificateError('x', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBeNull();
    expect(certificateError('x', 'text')).toBeNull();
  });
});

describe('credentialsRefused', () => {
  it("turns HiveServer2's SASL refusal into a configuration error that is never retried", () => {
    // What Spark Thrift Server 3.5.4 with LDAP answers a wrong password (hive-driver's error).
    const cause = new Error('Authentication error: Error validating the login');
    const error = credentialsRefused('HiveServer2 at h:1 (binary, auth LDAP)', cause);
    expect(error).toBeInstanceOf(AdapterConfigError);
    expect(error?.message).toMatch(/the server refused the user and password \(Authentication error/);
    expect(error?.hint).toMatch(/user and password/);
    expect(isTransient(error)).toBe(false);
  });

  it('leaves other errors alone', () => {
    expect(
      credentialsRefused('x', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBeNull();
    expect(credentialsRefused('x', new Error('the connection was closed'))).toBeNull();
  });
});

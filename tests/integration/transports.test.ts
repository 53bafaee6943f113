/**
 * The adapter's other transports against real servers: Spark Thrift Servers 3.5.4 started here,
 * on free ports, each with its own temp folder (Derby metastore, local warehouse, spark.local.dir).
 *
 * - server `http`: HTTP transport (path cliservice) over TLS, auth NONE;
 * - server `nosasl`: binary transport, auth NOSASL;
 * - server `ldap`: binary transport, auth LDAP against UnboundID's in-memory directory server
 *   (stack/ldap/pom.xml, from Maven Central), also started here on a free port.
 *
 * Launch args come from the local stack's own code (`sparkThriftArgs`, the classpath of
 * `qdbt local up --engine spark`); the warehouse stays on the local file system.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, type Adapter } from '../../src/adapters/index.js';
import { AdapterConfigError } from '../../src/adapters/hive/errors.js';
import type { HiveTarget } from '../../src/config/types.js';
import { layoutOf, writeConfigs } from '../../src/local/layout.js';
import { resolveClasspath } from '../../src/local/maven.js';
import { parseProperties, sparkThriftArgs } from '../../src/local/servers.js';
import { loadLocalSettings } from '../../src/local/settings.js';
import { loadTarget } from '../../src/config/index.js';

const READY_MS = 120_000;
const KEYSTORE_PASSWORD = 'qdbt-test-pw';
const LDAP_PASSWORD = 'analyst-pw-42';
const LDAP_BASE = 'dc=qcompany,dc=local';
const LDIF = `dn: ${LDAP_BASE}
objectClass: top
objectClass: domain
dc: qcompany

dn: ou=people,${LDAP_BASE}
objectClass: top
objectClass: organizationalUnit
ou: people

dn: uid=analyst,ou=people,${LDAP_BASE}
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: inetOrgPerson
uid: analyst
cn: Analyst
sn: Analyst
userPassword: ${LDAP_PASSWORD}
`;

interface RunningServer {
  name: string;
  port: number;
  process: ChildProcess;
  logFile: string;
  exited: boolean;
}

const root = mkdtempSync(path.join(os.tmpdir(), 'qdbt-transports-'));
const servers: RunningServer[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts one Spark Thrift Server and waits until its port accepts connections. */
async function startSpark(
  name: string,
  hiveconf: (port: number) => Record<string, string>,
): Promise<RunningServer> {
  const projectDir = process.cwd();
  const main = loadLocalSettings(projectDir, { engine: 'spark' });
  const home = path.join(root, name);
  const settings = { ...main, home };
  const conf = writeConfigs(settings, 'spark', ['spark.properties', 'log4j2.properties']);
  // No HDFS: a local default file system (the template's core-site.xml points at the local stack's HDFS).
  writeFileSync(
    path.join(conf, 'core-site.xml'),
    `<?xml version="1.0"?>\n<configuration>\n  <property><name>fs.defaultFS</name><value>file:///</value></property>\n</configuration>\n`,
  );
  const data = layoutOf(settings).data('spark');
  const properties = {
    ...parseProperties(readFileSync(path.join(conf, 'spark.properties'), 'utf8')),
    'spark.app.name': `qdbt-it-${name}`,
    'spark.sql.warehouse.dir': `file://${path.join(home, 'warehouse')}`,
    'spark.hadoop.fs.defaultFS': 'file:///',
  };
  const jars = await resolveClasspath(layoutOf(main), 'spark');
  const port = await freePort();
  const args = sparkThriftArgs({
    classpath: [conf, ...jars].join(path.delimiter),
    confDir: conf,
    dataDir: data,
    heap: '1g',
    properties,
    hiveconf: { 'hive.server2.thrift.port': String(port), ...hiveconf(port) },
  });
  const logFile = path.join(home, 'server.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('java', args, {
    cwd: data,
    env: { ...process.env, SPARK_LOCAL_IP: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const server: RunningServer = { name, port, process: child, logFile, exited: false };
  child.once('exit', () => (server.exited = true));
  servers.push(server);
  const deadline = Date.now() + READY_MS;
  while (!(await portOpen(port))) {
    if (server.exited) throw new Error(`${name}: the server exited\n${tail(logFile)}`);
    if (Date.now() > deadline)
      throw new Error(`${name}: port ${port} not open in ${READY_MS} ms\n${tail(logFile)}`);
    await sleep(500);
  }
  return server;
}

/** UnboundID's in-memory LDAP directory, with ou=people and uid=analyst. */
async function startLdap(): Promise<RunningServer> {
  const jars = await resolveClasspath(
    layoutOf(loadLocalSettings(process.cwd(), { engine: 'spark' })),
    'ldap',
  );
  const home = path.join(root, 'ldap');
  mkdirSync(home, { recursive: true });
  const ldif = path.join(home, 'users.ldif');
  writeFileSync(ldif, LDIF);
  const port = await freePort();
  const logFile = path.join(home, 'server.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(
    'java',
    [
      '-Xmx128m',
      '-cp',
      jars.join(path.delimiter),
      'com.unboundid.ldap.listener.InMemoryDirectoryServerTool',
      '--baseDN',
      LDAP_BASE,
      '--port',
      String(port),
      '--ldifFile',
      ldif,
    ],
    { cwd: home, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const server: RunningServer = { name: 'ldap', port, process: child, logFile, exited: false };
  child.once('exit', () => (server.exited = true));
  servers.push(server);
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(port))) {
    if (server.exited) throw new Error(`ldap: the server exited\n${tail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`ldap: port ${port} not open in 30000 ms\n${tail(logFile)}`);
    await sleep(200);
  }
  return server;
}

async function stopServer(server: RunningServer): Promise<void> {
  if (server.exited || server.process.exitCode !== null) return;
  server.process.kill('SIGTERM');
  const deadline = Date.now() + 20_000;
  while (!server.exited && Date.now() < deadline) await sleep(200);
  if (!server.exited) {
    server.process.kill('SIGKILL');
    const hard = Date.now() + 10_000;
    while (!server.exited && Date.now() < hard) await sleep(100);
  }
}

function targetFor(port: number, overrides: Partial<HiveTarget>): HiveTarget {
  return {
    name: 'it',
    profileName: 'qdbt_it',
    type: 'hive',
    host: '127.0.0.1',
    port,
    auth: 'NONE',
    transport: 'binary',
    schema: 'default',
    threads: 1,
    session: {},
    connectTimeoutSeconds: 20,
    retries: 0,
    extra: {},
    file: 'profiles.yml',
    ...overrides,
  };
}

/** Connects and runs SELECT 1 until the server answers (it opens its port before it serves). */
async function connectWhenReady(server: RunningServer, target: HiveTarget): Promise<Adapter> {
  const deadline = Date.now() + READY_MS;
  let last: unknown = null;
  while (Date.now() < deadline) {
    if (server.exited) break;
    let adapter: Adapter | null = null;
    try {
      adapter = await createAdapter(target);
      const result = await adapter.execute('SELECT 1');
      if (String(result.rows[0]?.[0]) === '1') return adapter;
      last = new Error(`SELECT 1 returned ${JSON.stringify(result.rows)}`);
    } catch (error) {
      last = error;
    }
    await adapter?.close().catch(() => undefined);
    await sleep(1_000);
  }
  throw new Error(
    `${server.name}: no SELECT 1 within ${READY_MS} ms: ${last instanceof Error ? last.message : String(last)}\n${tail(server.logFile)}`,
  );
}

const keystore = path.join(root, 'keystore.jks');
const certificate = path.join(root, 'server.pem');
let http: RunningServer;
let nosasl: RunningServer;
let ldap: RunningServer;
let ldapSpark: RunningServer;
const adapters: Adapter[] = [];

beforeAll(async () => {
  execFileSync('keytool', [
    '-genkeypair',
    '-alias',
    'qdbt',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '2',
    '-storetype',
    'JKS',
    '-keystore',
    keystore,
    '-storepass',
    KEYSTORE_PASSWORD,
    '-keypass',
    KEYSTORE_PASSWORD,
    '-dname',
    'CN=127.0.0.1',
    '-ext',
    'SAN=ip:127.0.0.1',
  ]);
  execFileSync('keytool', [
    '-exportcert',
    '-rfc',
    '-alias',
    'qdbt',
    '-keystore',
    keystore,
    '-storepass',
    KEYSTORE_PASSWORD,
    '-file',
    certificate,
  ]);
  // One after another: each JVM needs a core for its first seconds.
  http = await startSpark('http', (port) => ({
    'hive.server2.transport.mode': 'http',
    'hive.server2.thrift.http.port': String(port),
    'hive.server2.thrift.http.path': 'cliservice',
    'hive.server2.authentication': 'NONE',
    'hive.server2.use.SSL': 'true',
    'hive.server2.keystore.path': keystore,
    'hive.server2.keystore.password': KEYSTORE_PASSWORD,
  }));
  nosasl = await startSpark('nosasl', () => ({
    'hive.server2.transport.mode': 'binary',
    'hive.server2.authentication': 'NOSASL',
  }));
  ldap = await startLdap();
  ldapSpark = await startSpark('ldap-spark', () => ({
    'hive.server2.transport.mode': 'binary',
    'hive.server2.authentication': 'LDAP',
    'hive.server2.authentication.ldap.url': `ldap://127.0.0.1:${ldap.port}`,
    'hive.server2.authentication.ldap.baseDN': `ou=people,${LDAP_BASE}`,
  }));
}, 600_000);

afterAll(async () => {
  for (const adapter of adapters) await adapter.close().catch(() => undefined);
  await Promise.all(servers.map((s) => stopServer(s)));
  const left = servers.filter((s) => !s.exited);
  rmSync(root, { recursive: true, force: true });
  if (left.length > 0) throw new Error(`still running: ${left.map((s) => s.process.pid).join(', ')}`);
}, 120_000);

describe('HTTP transport over TLS (Spark Thrift Server 3.5.4)', () => {
  it('runs SELECT 1 with the server certificate as ca', async () => {
    const adapter = await connectWhenReady(
      http,
      targetFor(http.port, {
        transport: 'http',
        httpPath: 'cliservice',
        tls: { enabled: true, ca: certificate },
      }),
    );
    adapters.push(adapter);
    expect(adapter.capabilities.engine).toBe('spark');
  });

  it('runs SELECT 1 with rejectUnauthorized false', async () => {
    const adapter = await createAdapter(
      targetFor(http.port, {
        transport: 'http',
        httpPath: '/cliservice',
        tls: { enabled: true, rejectUnauthorized: false },
      }),
    );
    adapters.push(adapter);
    const result = await adapter.execute('SELECT 1');
    expect(String(result.rows[0]?.[0])).toBe('1');
  });

  it('refuses an unknown certificate at once, with a clear error', async () => {
    await expect(
      createAdapter(
        targetFor(http.port, {
          transport: 'http',
          httpPath: 'cliservice',
          tls: { enabled: true },
          connectTimeoutSeconds: 10,
        }),
      ),
    ).rejects.toThrow(AdapterConfigError);
    const error = await createAdapter(
      targetFor(http.port, { transport: 'http', httpPath: 'cliservice', tls: { enabled: true } }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/certificate was refused/);
  });

  it('round-trips a table with a BIGINT beyond 2^53', async () => {
    const adapter = adapters[0]!;
    const big = 9_007_199_254_740_993n; // 2^53 + 1
    await adapter.execute('DROP TABLE IF EXISTS default.qdbt_it_http');
    await adapter.execute('CREATE TABLE default.qdbt_it_http (id BIGINT, name STRING) STORED AS PARQUET');
    await adapter.execute(`INSERT INTO default.qdbt_it_http VALUES (${big}, 'big'), (-1, 'small')`);
    const result = await adapter.execute('SELECT id, name FROM default.qdbt_it_http ORDER BY name');
    expect(result.rows).toEqual([
      [big, 'big'],
      [-1n, 'small'],
    ]);
    await adapter.execute('DROP TABLE default.qdbt_it_http');
  });
});

describe('binary transport, NOSASL (Spark Thrift Server 3.5.4)', () => {
  it('runs SELECT 1 with auth NOSASL', async () => {
    const adapter = await connectWhenReady(nosasl, targetFor(nosasl.port, { auth: 'NOSASL' }));
    adapters.push(adapter);
    expect(adapter.capabilities.engine).toBe('spark');
  });

  it('fails with the auth-mismatch error within the connect timeout with auth NONE', async () => {
    const started = performance.now();
    const error = await createAdapter(
      targetFor(nosasl.port, { auth: 'NONE', connectTimeoutSeconds: 3 }),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(AdapterConfigError);
    expect((error as AdapterConfigError).message).toMatch(/did not open within 3000 ms/);
    expect(elapsed).toBeLessThan(3 * 3_000);
  });
});

describe('binary transport, LDAP (Spark Thrift Server 3.5.4, UnboundID in-memory directory)', () => {
  /** The target as a user writes it: the password from the environment through env_var(). */
  function ldapTarget(password: string | undefined): HiveTarget {
    const dir = path.join(root, 'ldap-project');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      [
        'qdbt_it:',
        '  target: ldap',
        '  outputs:',
        '    ldap:',
        '      type: hive',
        '      host: 127.0.0.1',
        `      port: ${ldapSpark.port}`,
        '      auth: ldap',
        '      user: analyst',
        `      password: "{{ env_var('QDBT_IT_LDAP_PASSWORD') }}"`,
        '      schema: default',
        '      threads: 1',
        '      connect_timeout: 10',
        '      retries: 0',
        '',
      ].join('\n'),
    );
    return loadTarget({
      projectDir: dir,
      profileName: 'qdbt_it',
      env: { ...process.env, QDBT_IT_LDAP_PASSWORD: password },
    });
  }

  it('runs SELECT 1 and current_user() as the LDAP user, the password from env_var()', async () => {
    const target = ldapTarget(LDAP_PASSWORD);
    expect(target).toMatchObject({ auth: 'LDAP', user: 'analyst', password: LDAP_PASSWORD });
    const adapter = await connectWhenReady(ldapSpark, target);
    adapters.push(adapter);
    expect(adapter.capabilities.engine).toBe('spark');
    const result = await adapter.execute('SELECT current_user()');
    expect(result.rows).toEqual([['analyst']]);
  });

  it('refuses a wrong password at once, saying the server refused the user and password', async () => {
    const started = performance.now();
    const error = await createAdapter(ldapTarget('not-the-password')).then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(AdapterConfigError);
    expect((error as AdapterConfigError).message).toMatch(/the server refused the user and password/);
    expect(elapsed).toBeLessThan(10_000);
  });
});

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { HiveConnection } from '../adapters/hive/connection.js';
import { WebHdfsClient } from '../ingest/hdfs/webhdfs.js';
import { POM_OF, layoutOf, writeConfigs, type Layout } from './layout.js';
import { ensureMetastoreScripts, resolveClasspath } from './maven.js';
import { markerFor, runJava, type LaunchSpec } from './processes.js';
import type { LocalPorts, LocalSettings, ServerName } from './settings.js';

/** Artifacts left out of HiveServer2's class path (see STACK.md), and the one placed last. */
export const HIVE_EXCLUDED = ['slf4j-reload4j', 'hadoop-client-api', 'hadoop-client-runtime', 'jsp-api-2.1'];
export const HIVE_TAIL = ['reload4j-'];

const BASE_OPENS = [
  'java.base/java.lang',
  'java.base/java.lang.reflect',
  'java.base/java.io',
  'java.base/java.net',
  'java.base/java.nio',
  'java.base/java.util',
  'java.base/java.util.concurrent',
  'java.base/sun.nio.ch',
];
const HDFS_OPENS = [
  ...BASE_OPENS,
  'java.base/java.util.zip',
  'java.base/sun.security.util',
  'java.base/sun.security.x509',
];
const HIVE_OPENS = [
  ...BASE_OPENS,
  'java.base/java.lang.invoke',
  'java.base/java.util.concurrent.atomic',
  'java.base/java.util.regex',
  'java.base/java.util.zip',
  'java.base/java.text',
  'java.base/java.math',
  'java.base/java.time',
  'java.base/sun.nio.cs',
  'java.base/sun.security.util',
  'java.base/sun.security.action',
  'java.base/sun.util.calendar',
  'java.base/jdk.internal.ref',
  'java.sql/java.sql',
];
const SPARK_OPENS = [
  ...BASE_OPENS,
  'java.base/java.lang.invoke',
  'java.base/java.util.concurrent.atomic',
  'java.base/jdk.internal.ref',
  'java.base/sun.nio.cs',
  'java.base/sun.security.action',
  'java.base/sun.util.calendar',
  'java.security.jgss/sun.security.krb5',
];

function opens(list: string[]): string[] {
  return list.map((m) => `--add-opens=${m}=ALL-UNNAMED`);
}

/** Ports a server binds (checked free before it starts), with the names `--port` takes. */
export function portsOf(server: ServerName, ports: LocalPorts): Array<[keyof LocalPorts, number]> {
  const names: Record<ServerName, Array<keyof LocalPorts>> = {
    namenode: ['namenode', 'namenode_http'],
    datanode: ['datanode', 'datanode_http', 'datanode_ipc'],
    hive: ['hive', 'hive_http'],
    spark: ['spark'],
    kafka: ['kafka', 'kafka_controller'],
  };
  return names[server].map((n) => [n, ports[n]]);
}

/** The address a user connects to. */
export function endpointOf(server: ServerName, ports: LocalPorts): string {
  switch (server) {
    case 'namenode':
      return `hdfs://127.0.0.1:${ports.namenode}  (WebHDFS http://127.0.0.1:${ports.namenode_http}/webhdfs/v1)`;
    case 'datanode':
      return `127.0.0.1:${ports.datanode}  (http 127.0.0.1:${ports.datanode_http})`;
    case 'hive':
      return `jdbc:hive2://127.0.0.1:${ports.hive}  (web UI http://127.0.0.1:${ports.hive_http})`;
    case 'spark':
      return `jdbc:hive2://127.0.0.1:${ports.spark}  (Spark Thrift Server)`;
    case 'kafka':
      return `127.0.0.1:${ports.kafka}`;
  }
}

interface Classpaths {
  main: string;
  /** For the schema tool: sqlline and the jline 3.12 jars it needs first (hive-exec's jline 3.9 bundle breaks it). */
  schemaTool?: string;
}

async function classpathFor(
  layout: Layout,
  server: ServerName,
  onResolve: (dir: string) => void,
): Promise<Classpaths> {
  const dir = POM_OF[server];
  const conf = layout.conf(dir);
  const entries = await resolveClasspath(layout, dir, () => onResolve(dir));
  if (server !== 'hive') return { main: [conf, ...entries].join(path.delimiter) };
  const base = (jar: string): string => path.basename(jar);
  const main = entries.filter(
    (jar) =>
      !HIVE_EXCLUDED.some((x) => base(jar).startsWith(x)) && !HIVE_TAIL.some((x) => base(jar).startsWith(x)),
  );
  const tail = entries.filter((jar) => HIVE_TAIL.some((x) => base(jar).startsWith(x)));
  const first = (jar: string): boolean => /[/\\]sqlline-|[/\\]org[/\\]jline[/\\]jline-/.test(jar);
  const schemaTool = [conf, ...main.filter(first), ...main.filter((j) => !first(j)), ...tail].join(
    path.delimiter,
  );
  return { main: [conf, ...main, ...tail].join(path.delimiter), schemaTool };
}

const CONF_FILES: Record<'hdfs' | 'hive' | 'spark' | 'kafka', string[]> = {
  hdfs: ['core-site.xml', 'hdfs-site.xml', 'log4j.properties'],
  hive: ['core-site.xml', 'hive-site.xml', 'hive-log4j2.properties'],
  spark: ['core-site.xml', 'spark.properties', 'log4j2.properties'],
  kafka: ['server.properties', 'log4j.properties'],
};

export interface PrepareHooks {
  /** Called before Maven runs (a first `up`, or a changed pom). */
  onResolve(dir: string): void;
  /** One-time work: formatting HDFS or Kafka, creating the metastore schema. */
  onStep(text: string): void;
}

/**
 * Everything a server needs before it starts: jars, generated configs, one-time formatting.
 * Returns the command to launch it.
 */
export async function prepare(
  settings: LocalSettings,
  server: ServerName,
  hooks: PrepareHooks,
): Promise<LaunchSpec> {
  const layout = layoutOf(settings);
  const dir = POM_OF[server];
  const conf = writeConfigs(settings, dir, CONF_FILES[dir]);
  const data = layout.data(dir);
  mkdirSync(path.join(data, 'tmp'), { recursive: true });
  const { main, schemaTool } = await classpathFor(layout, server, hooks.onResolve);
  const marker = markerFor(layout, server);
  // HiveServer2 and Spark grow their heap during queries: G1 with a periodic GC gives it back when
  // idle. The small servers keep the serial GC (least memory).
  const gc =
    server === 'hive' || server === 'spark'
      ? [
          '-XX:+UseG1GC',
          '-XX:G1PeriodicGCInterval=30000',
          '-XX:MinHeapFreeRatio=10',
          '-XX:MaxHeapFreeRatio=30',
        ]
      : ['-XX:+UseSerialGC'];
  const common = [
    marker,
    `-Xmx${settings.heap[server]}`,
    `-Djava.io.tmpdir=${path.join(data, 'tmp')}`,
    ...gc,
    '-Djava.net.preferIPv4Stack=true',
  ];
  const ports = portsOf(server, settings.ports).map(([, p]) => p);

  if (server === 'namenode' || server === 'datanode') {
    const jvm = [
      ...common,
      '-XX:TieredStopAtLevel=1',
      ...opens(HDFS_OPENS),
      `-Dhadoop.log.dir=${layout.logs}`,
      `-Dhadoop.home.dir=${data}`,
      `-Dlog4j.configuration=file:${path.join(conf, 'log4j.properties')}`,
      '-cp',
      main,
    ];
    if (server === 'namenode' && !existsSync(path.join(data, 'name', 'current', 'VERSION'))) {
      hooks.onStep('formatting the NameNode');
      await runJava(
        [
          ...jvm.filter((a) => a !== marker),
          'org.apache.hadoop.hdfs.server.namenode.NameNode',
          '-format',
          '-nonInteractive',
          '-force',
        ],
        {
          cwd: data,
          logFile: path.join(layout.logs, 'namenode-format.log'),
          timeoutMs: 120_000,
          what: 'format the NameNode',
        },
      );
    }
    const mainClass =
      server === 'namenode'
        ? 'org.apache.hadoop.hdfs.server.namenode.NameNode'
        : 'org.apache.hadoop.hdfs.server.datanode.DataNode';
    return { server, args: [...jvm, mainClass], cwd: data, ports, marker };
  }

  if (server === 'kafka') {
    const props = path.join(conf, 'server.properties');
    const jvm = [
      ...common,
      '-Xms256m',
      '-XX:TieredStopAtLevel=1',
      `-Dlog4j.configuration=file:${path.join(conf, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${layout.logs}`,
      '-cp',
      main,
    ];
    if (!existsSync(path.join(data, 'logs', 'meta.properties'))) {
      hooks.onStep('formatting Kafka storage (KRaft)');
      const clusterId = randomBytes(16).toString('base64url');
      await runJava(
        [
          ...jvm.filter((a) => a !== marker),
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId,
          '-c',
          props,
          '--ignore-formatted',
        ],
        {
          cwd: data,
          logFile: path.join(layout.logs, 'kafka-format.log'),
          timeoutMs: 120_000,
          what: 'format Kafka storage',
        },
      );
    }
    return { server, args: [...jvm, 'kafka.Kafka', props], cwd: data, ports, marker };
  }

  if (server === 'hive') {
    for (const sub of ['scratch', 'resources', 'querylog', 'operation_logs'])
      mkdirSync(path.join(data, sub), { recursive: true });
    const jvm = [
      ...common,
      '-Xms256m',
      ...opens(HIVE_OPENS),
      `-Dderby.system.home=${data}`,
      `-Dlog4j.configurationFile=${path.join(conf, 'hive-log4j2.properties')}`,
      `-Dhadoop.home.dir=${data}`,
      '-cp',
      main,
    ];
    if (!existsSync(path.join(data, 'metastore_db'))) {
      hooks.onStep('creating the Hive metastore schema (schema tool, Derby)');
      const metastoreHome = await ensureMetastoreScripts(layout);
      const toolJvm = jvm.filter((a) => a !== marker).map((a) => (a === main ? (schemaTool ?? main) : a));
      await runJava(
        [
          ...toolJvm,
          'org.apache.hadoop.hive.metastore.tools.schematool.MetastoreSchemaTool',
          '-dbType',
          'derby',
          '-initSchema',
          '-url',
          `jdbc:derby:;databaseName=${path.join(data, 'metastore_db')};create=true`,
          '-driver',
          'org.apache.derby.jdbc.EmbeddedDriver',
          '-userName',
          'APP',
          '-passWord',
          'mine',
        ],
        {
          cwd: data,
          env: { METASTORE_HOME: metastoreHome },
          logFile: path.join(layout.logs, 'hive-schematool.log'),
          timeoutMs: 300_000,
          what: 'create the Hive metastore schema',
        },
      ).catch(async (error: unknown) => {
        const { rmSync } = await import('node:fs');
        rmSync(path.join(data, 'metastore_db'), { recursive: true, force: true });
        throw error;
      });
    }
    return {
      server,
      args: [...jvm, 'org.apache.hive.service.server.HiveServer2'],
      cwd: data,
      env: { HIVE_CONF_DIR: conf },
      ports,
      marker,
    };
  }

  // spark
  const props = parseProperties(readFileSync(path.join(conf, 'spark.properties'), 'utf8'));
  return {
    server,
    args: sparkThriftArgs({
      classpath: main,
      confDir: conf,
      dataDir: data,
      heap: settings.heap[server],
      properties: props,
      hiveconf: { 'hive.server2.thrift.port': String(settings.ports.spark) },
      marker,
    }),
    cwd: data,
    env: { SPARK_LOCAL_IP: '127.0.0.1' },
    ports,
    marker,
  };
}

export interface SparkThriftOptions {
  /** The whole class path, conf folder first. */
  classpath: string;
  /** Holds log4j2.properties. */
  confDir: string;
  /** Derby home, tmp, scratch and operation-log folders (created here). */
  dataDir: string;
  heap: string;
  /** spark.properties: passed as -D system properties. */
  properties: Record<string, string>;
  /** `--hiveconf` settings over the defaults (binary transport, auth NONE, bind 127.0.0.1). */
  hiveconf?: Record<string, string>;
  marker?: string;
}

/**
 * The java arguments of a Spark Thrift Server (run it with env SPARK_LOCAL_IP=127.0.0.1 and its
 * data folder as cwd). `prepare` uses it for the local stack; tests start extra servers with it.
 */
export function sparkThriftArgs(options: SparkThriftOptions): string[] {
  const data = options.dataDir;
  for (const sub of ['tmp', 'local', 'scratch', 'resources', 'hive-scratch', 'operation_logs'])
    mkdirSync(path.join(data, sub), { recursive: true });
  const jvm = [
    ...(options.marker ? [options.marker] : []),
    `-Xmx${options.heap}`,
    `-Djava.io.tmpdir=${path.join(data, 'tmp')}`,
    '-XX:+UseG1GC',
    '-XX:G1PeriodicGCInterval=30000',
    '-XX:MinHeapFreeRatio=10',
    '-XX:MaxHeapFreeRatio=30',
    '-Djava.net.preferIPv4Stack=true',
    '-Xms256m',
    '-XX:+IgnoreUnrecognizedVMOptions',
    ...opens(SPARK_OPENS),
    '-Djdk.reflect.useDirectMethodHandle=false',
    `-Dderby.system.home=${data}`,
    `-Dlog4j2.configurationFile=${path.join(options.confDir, 'log4j2.properties')}`,
    ...Object.entries(options.properties).map(([k, v]) => `-D${k}=${v}`),
    '-cp',
    options.classpath,
  ];
  const hiveconf = {
    'hive.server2.thrift.bind.host': '127.0.0.1',
    'hive.server2.transport.mode': 'binary',
    'hive.server2.authentication': 'NONE',
    'hive.server2.enable.doAs': 'false',
    'hive.server2.logging.operation.log.location': path.join(data, 'operation_logs'),
    ...options.hiveconf,
  };
  const args = Object.entries(hiveconf).flatMap(([k, v]) => ['--hiveconf', `${k}=${v}`]);
  return [...jvm, 'org.apache.spark.sql.hive.thriftserver.HiveThriftServer2', ...args];
}

export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const i = trimmed.indexOf('=');
    if (i > 0) out[trimmed.slice(0, i).trim()] = trimmed.slice(i + 1).trim();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Readiness: really talk to each server.

function getJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error as Error);
        }
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

/** One health check: resolves with a short description when the server answers, rejects otherwise. */
export async function probe(settings: LocalSettings, server: ServerName, timeoutMs = 5_000): Promise<string> {
  const ports = settings.ports;
  switch (server) {
    case 'namenode': {
      const client = new WebHdfsClient({ url: `http://127.0.0.1:${ports.namenode_http}`, timeoutMs });
      try {
        const entries = await client.list('/');
        return `WebHDFS lists / (${entries.length} entries)`;
      } finally {
        client.close();
      }
    }
    case 'datanode': {
      const json = (await getJson(
        `http://127.0.0.1:${ports.namenode_http}/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState`,
        timeoutMs,
      )) as { beans: Array<{ NumLiveDataNodes?: number; FSState?: string }> };
      const bean = json.beans[0];
      const info = (await getJson(
        `http://127.0.0.1:${ports.namenode_http}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`,
        timeoutMs,
      )) as { beans: Array<{ Safemode?: string }> };
      if (!bean || (bean.NumLiveDataNodes ?? 0) < 1) throw new Error('no live DataNode yet');
      if (info.beans[0]?.Safemode) throw new Error('the NameNode is in safe mode');
      return `${bean.NumLiveDataNodes} live DataNode, safe mode off`;
    }
    case 'kafka': {
      // Loaded here: kafkajs costs ~100 ms at start-up, which commands that never check Kafka skip.
      const { Kafka, logLevel } = await import('kafkajs');
      const kafka = new Kafka({
        clientId: 'qdbt-local',
        brokers: [`127.0.0.1:${ports.kafka}`],
        logLevel: logLevel.NOTHING,
        connectionTimeout: Math.min(timeoutMs, 3_000),
        requestTimeout: timeoutMs,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return `metadata: ${cluster.brokers.length} broker, controller ${cluster.controller}`;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    case 'hive':
    case 'spark': {
      const connection = await HiveConnection.open({
        host: '127.0.0.1',
        port: server === 'hive' ? ports.hive : ports.spark,
        auth: 'NONE',
        connectTimeoutMs: timeoutMs,
      });
      try {
        const result = await connection.execute('SELECT 1', { timeoutMs: Math.max(timeoutMs, 30_000) });
        if (String(result.rows[0]?.[0]) !== '1')
          throw new Error(`SELECT 1 returned ${JSON.stringify(result.rows)}`);
        return 'SELECT 1 ok';
      } finally {
        await connection.close();
      }
    }
  }
}

/** After the DataNode is up: the folders Hive and Spark expect in HDFS. */
export async function initHdfsFolders(settings: LocalSettings): Promise<void> {
  const client = new WebHdfsClient({ url: `http://127.0.0.1:${settings.ports.namenode_http}` });
  try {
    for (const dir of ['/tmp', '/user/hive/warehouse', '/user/hive/external', '/user/spark/warehouse']) {
      if (!(await client.exists(dir))) await client.mkdirs(dir);
    }
    await client.setPermission('/tmp', '1777');
  } finally {
    client.close();
  }
}

/** Log files of a server, main one first. */
export function logFilesOf(layout: Layout, server: ServerName): string[] {
  if (server === 'hive') return [path.join(layout.logs, 'hive.log'), layout.outFile('hive')];
  return [layout.outFile(server)];
}

export function writeEndpointsFile(layout: Layout, settings: LocalSettings): void {
  mkdirSync(layout.run, { recursive: true });
  writeFileSync(
    path.join(layout.run, 'endpoints.json'),
    JSON.stringify({ ports: settings.ports, engine: settings.engine }, null, 1),
  );
}

import { existsSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { QdbtError } from '../errors.js';
import { layoutOf } from './layout.js';
import { requireTool } from './maven.js';
import { assertPortFree, launch, residentBytes, runningProcess, stopProcess, tailFile } from './processes.js';
import {
  endpointOf,
  initHdfsFolders,
  logFilesOf,
  portsOf,
  prepare,
  probe,
  writeEndpointsFile,
} from './servers.js';
import { SERVERS, serversFor, type LocalSettings, type ServerName } from './settings.js';

/** Progress events of the stack, for a reporter (CLI) or a test harness. */
export type StackListener = (event: {
  name: string;
  server?: ServerName;
  message: string;
  data?: Record<string, unknown>;
}) => void;

export interface ServerUpResult {
  server: ServerName;
  /** `started` by this call, or `running` before it. */
  state: 'started' | 'running';
  pid: number;
  endpoint: string;
  /** Launch to first answer (0 for one already running). */
  readyMs: number;
  /** One-time work before the launch: Maven, formatting, schema. */
  prepareMs: number;
  rssBytes: number | null;
}

export interface UpResult {
  servers: ServerUpResult[];
  totalMs: number;
  /** Servers this call started (what a caller that wants to leave no trace must stop). */
  started: ServerName[];
}

const HEALTHY_NAMES: Record<ServerName, string> = {
  namenode: 'HDFS NameNode',
  datanode: 'HDFS DataNode',
  hive: 'HiveServer2',
  spark: 'Spark Thrift Server',
  kafka: 'Kafka',
};
export const SERVER_TITLES = HEALTHY_NAMES;

/**
 * Starts the servers the engine needs, one after another, and waits until each really answers.
 * Idempotent: a server already running is only checked. When anything fails, every server this
 * call started is stopped again before the error is thrown.
 */
export async function up(
  settings: LocalSettings,
  listener: StackListener = () => undefined,
): Promise<UpResult> {
  const layout = layoutOf(settings);
  const began = performance.now();
  const started: ServerName[] = [];
  const results: ServerUpResult[] = [];
  requireTool('java');
  writeEndpointsFile(layout, settings);
  try {
    for (const server of serversFor(settings.engine)) {
      const running = runningProcess(layout, server);
      if (running) {
        const t0 = performance.now();
        await waitReady(settings, server, running.pid, settings.startTimeoutSeconds * 1000);
        listener({
          name: 'server_running',
          server,
          message: `${HEALTHY_NAMES[server]} already running (pid ${running.pid})`,
        });
        results.push({
          server,
          state: 'running',
          pid: running.pid,
          endpoint: endpointOf(server, settings.ports),
          readyMs: performance.now() - t0,
          prepareMs: 0,
          rssBytes: residentBytes(running.pid),
        });
        continue;
      }
      for (const [name, port] of portsOf(server, settings.ports))
        await assertPortFree(port, `${HEALTHY_NAMES[server]}, ${name}`, name);
      const p0 = performance.now();
      const spec = await prepare(settings, server, {
        onResolve: (dir) =>
          listener({
            name: 'maven_resolve',
            server,
            message: `Resolving the ${dir} jars with Maven (downloads only what ~/.m2 lacks)`,
          }),
        onStep: (text) =>
          listener({ name: 'server_prepare', server, message: `${HEALTHY_NAMES[server]}: ${text}` }),
      });
      const prepareMs = performance.now() - p0;
      listener({ name: 'server_starting', server, message: `Starting ${HEALTHY_NAMES[server]}` });
      const t0 = performance.now();
      const record = launch(layout, spec);
      started.push(server);
      await waitReady(settings, server, record.pid, settings.startTimeoutSeconds * 1000);
      if (server === 'datanode') await initHdfsFolders(settings);
      const readyMs = performance.now() - t0;
      const result: ServerUpResult = {
        server,
        state: 'started',
        pid: record.pid,
        endpoint: endpointOf(server, settings.ports),
        readyMs,
        prepareMs,
        rssBytes: residentBytes(record.pid),
      };
      results.push(result);
      listener({
        name: 'server_ready',
        server,
        message: `${HEALTHY_NAMES[server]} ready in ${(readyMs / 1000).toFixed(1)} s (pid ${record.pid})`,
        data: { ...result },
      });
    }
  } catch (error) {
    if (started.length > 0) {
      listener({ name: 'stack_rollback', message: `Stopping what this run started: ${started.join(', ')}` });
      for (const server of [...started].reverse()) await stopProcess(layout, server, 10_000);
    }
    throw error;
  }
  return { servers: results, totalMs: performance.now() - began, started };
}

async function waitReady(
  settings: LocalSettings,
  server: ServerName,
  pid: number,
  timeoutMs: number,
): Promise<void> {
  const layout = layoutOf(settings);
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  let delay = 200;
  for (;;) {
    const record = runningProcess(layout, server);
    if (!record || record.pid !== pid) {
      throw new QdbtError(
        'runtime',
        `${HEALTHY_NAMES[server]} exited while starting. Last lines of its log:\n${logTail(settings, server, 30)}`,
        {
          hint: `Full logs: ${logFilesOf(layout, server).join(', ')}`,
        },
      );
    }
    try {
      await probe(settings, server, Math.min(10_000, Math.max(1_000, deadline - Date.now())));
      return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new QdbtError(
        'runtime',
        `${HEALTHY_NAMES[server]} did not answer within ${Math.round(timeoutMs / 1000)} s (last: ${lastError}). Last lines of its log:\n${logTail(settings, server, 30)}`,
        {
          hint: `Full logs: ${logFilesOf(layout, server).join(', ')}. A slower machine may need \`--timeout <seconds>\` or local.start_timeout_seconds.`,
        },
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 1.5, 1_000);
  }
}

export function logTail(settings: LocalSettings, server: ServerName, lines: number): string {
  const layout = layoutOf(settings);
  return logFilesOf(layout, server)
    .filter((f) => existsSync(f))
    .map((f) => {
      // Hive's STARTUP_MSG prints its whole class path on one line: keep lines readable.
      const text = tailFile(f, lines)
        .split('\n')
        .map((line) => (line.length > 300 ? `${line.slice(0, 300)} ...` : line))
        .join('\n');
      return `--- ${f}\n${text}`;
    })
    .join('\n');
}

/** Stops every recorded server (exactly the recorded pids), in reverse start order. */
export async function down(
  settings: LocalSettings,
  listener: StackListener = () => undefined,
): Promise<ServerName[]> {
  const layout = layoutOf(settings);
  const stopped: ServerName[] = [];
  for (const server of [...SERVERS].reverse()) {
    const t0 = performance.now();
    const result = await stopProcess(layout, server);
    if (result.stopped) {
      stopped.push(server);
      listener({
        name: 'server_stopped',
        server,
        message: `Stopped ${HEALTHY_NAMES[server]} (pid ${result.pid}${result.killed ? ', killed' : ''}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      });
    }
  }
  return stopped;
}

export interface ServerStatus {
  server: ServerName;
  title: string;
  running: boolean;
  healthy: boolean;
  detail: string;
  pid: number | null;
  ports: number[];
  rssBytes: number | null;
}

export async function status(settings: LocalSettings): Promise<ServerStatus[]> {
  const layout = layoutOf(settings);
  const out: ServerStatus[] = [];
  for (const server of SERVERS) {
    const record = runningProcess(layout, server);
    const ports = portsOf(server, settings.ports).map(([, p]) => p);
    if (!record) {
      out.push({
        server,
        title: HEALTHY_NAMES[server],
        running: false,
        healthy: false,
        detail: 'stopped',
        pid: null,
        ports,
        rssBytes: null,
      });
      continue;
    }
    let healthy = false;
    let detail: string;
    try {
      detail = await probe(settings, server, 5_000);
      healthy = true;
    } catch (error) {
      detail = `not answering: ${(error as Error).message}`;
    }
    out.push({
      server,
      title: HEALTHY_NAMES[server],
      running: true,
      healthy,
      detail,
      pid: record.pid,
      ports: record.ports,
      rssBytes: residentBytes(record.pid),
    });
  }
  return out;
}

/** Stops everything and deletes data and logs (configs are regenerated, jars stay cached). */
export async function reset(
  settings: LocalSettings,
  listener: StackListener = () => undefined,
): Promise<void> {
  await down(settings, listener);
  const layout = layoutOf(settings);
  for (const dir of ['data', 'logs', 'conf', 'run'])
    rmSync(`${layout.home}/${dir}`, { recursive: true, force: true });
  listener({ name: 'stack_reset', message: `Deleted the data and logs under ${layout.home}` });
}

export { SERVERS, serversFor };

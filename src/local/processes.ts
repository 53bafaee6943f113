import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QdbtError } from '../errors.js';
import type { Layout } from './layout.js';
import type { ServerName } from './settings.js';

/** What `up` records for each process it starts: enough for `down` to stop exactly that process. */
export interface PidRecord {
  server: ServerName;
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): guards against pid reuse. */
  startTicks: number | null;
  /** `-Dqdbt.local=...` on its command line. */
  marker: string;
  ports: number[];
  startedAt: string;
}

export interface LaunchSpec {
  server: ServerName;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  ports: number[];
  marker: string;
}

export function markerFor(layout: Layout, server: ServerName): string {
  return `-Dqdbt.local=${layout.home}#${server}`;
}

function procStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return null;
  }
}

function procCmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when this record's process is still the one we started. */
export function isOurs(record: PidRecord): boolean {
  if (!alive(record.pid)) return false;
  if (existsSync('/proc/self/stat')) {
    const ticks = procStartTicks(record.pid);
    if (record.startTicks !== null && ticks !== record.startTicks) return false;
    const cmd = procCmdline(record.pid);
    if (cmd !== null && !cmd.includes(record.marker)) return false;
  }
  return true;
}

export function readPid(layout: Layout, server: ServerName): PidRecord | null {
  const file = layout.pidFile(server);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return null;
  }
}

/** The running process of a server, or null (a stale pid file is removed). */
export function runningProcess(layout: Layout, server: ServerName): PidRecord | null {
  const record = readPid(layout, server);
  if (!record) return null;
  if (isOurs(record)) return record;
  rmSync(layout.pidFile(server), { force: true });
  return null;
}

/** Resident memory of a process in bytes (Linux), or null. */
export function residentBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Fails with a clear error when a port is taken on 127.0.0.1. */
export async function assertPortFree(port: number, what: string, flagName: string): Promise<void> {
  const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(null)));
  });
  if (!error) return;
  if (error.code === 'EADDRINUSE') {
    throw new QdbtError(
      'runtime',
      `Port ${port} on 127.0.0.1 (${what}) is already taken by another process`,
      {
        hint: `Stop that process, or give ${what} another port: \`qdbt local up --port ${flagName}=<port>\` or \`local: {ports: {${flagName}: <port>}}\` in project.yml.`,
      },
    );
  }
  throw new QdbtError('runtime', `Cannot check port ${port} (${what}): ${error.message}`);
}

/** Starts a detached java process writing to logs/<server>.out and records its pid. */
export function launch(layout: Layout, spec: LaunchSpec): PidRecord {
  mkdirSync(layout.logs, { recursive: true });
  mkdirSync(layout.run, { recursive: true });
  mkdirSync(spec.cwd, { recursive: true });
  const outFile = layout.outFile(spec.server);
  // stdout cannot be rolled while the process runs: roll it at start when it has grown large.
  if (existsSync(outFile) && statSync(outFile).size > 50 * 1024 * 1024) renameSync(outFile, `${outFile}.1`);
  const out = openSync(outFile, 'a');
  writeSync(out, `\n==== qdbt local: starting ${spec.server} at ${new Date().toISOString()}\n`);
  try {
    const child = spawn('java', spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new QdbtError('runtime', `Could not start java for ${spec.server}`);
    child.unref();
    child.on('error', () => undefined);
    const record: PidRecord = {
      server: spec.server,
      pid: child.pid,
      startTicks: procStartTicks(child.pid),
      marker: spec.marker,
      ports: spec.ports,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(layout.pidFile(spec.server), JSON.stringify(record, null, 1));
    return record;
  } finally {
    closeSync(out);
  }
}

/** Runs java to completion (formatting, schema tool), output to a log file. */
export function runJava(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; logFile: string; timeoutMs: number; what: string },
): Promise<void> {
  mkdirSync(options.cwd, { recursive: true });
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const out = openSync(options.logFile, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn('java', args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', out, out],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) =>
      reject(new QdbtError('runtime', `Could not ${options.what}: ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      reject(
        new QdbtError(
          'runtime',
          `Could not ${options.what} (${signal ? `killed after ${options.timeoutMs} ms` : `exit ${code}`}). Last lines of ${options.logFile}:\n${tailFile(options.logFile, 20)}`,
        ),
      );
    });
  }).finally(() => closeSync(out));
}

/** Stops one recorded process: SIGTERM, then SIGKILL after `graceMs`. Never by name. */
export async function stopProcess(
  layout: Layout,
  server: ServerName,
  graceMs = 20_000,
): Promise<{ stopped: boolean; killed: boolean; pid?: number }> {
  const record = runningProcess(layout, server);
  if (!record) return { stopped: false, killed: false };
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(record.pid, sig);
    } catch {
      /* gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  let killed = false;
  while (isOurs(record)) {
    if (Date.now() > deadline && !killed) {
      signal('SIGKILL');
      killed = true;
    }
    await sleep(100);
    if (killed && Date.now() > deadline + 10_000) break;
  }
  rmSync(layout.pidFile(server), { force: true });
  return { stopped: true, killed, pid: record.pid };
}

/** The last `lines` lines of a file ('' when missing). Reads at most the last 256 KB. */
export function tailFile(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const start = Math.max(0, size - 256 * 1024);
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    let read = 0;
    while (read < buffer.length) {
      const n = readSyncSafe(fd, buffer, read, start + read);
      if (n <= 0) break;
      read += n;
    }
    return buffer
      .subarray(0, read)
      .toString('utf8')
      .split('\n')
      .filter((l, i, all) => l !== '' || i < all.length - 1)
      .slice(-lines)
      .join('\n');
  } finally {
    closeSync(fd);
  }
}

function readSyncSafe(fd: number, buffer: Buffer, offset: number, position: number): number {
  return readSync(fd, buffer, offset, buffer.length - offset, position);
}

/**
 * What the CLI-driven integration tests share: the two engines of the local stack, whether each
 * is up, a profile and a target for a fixture project, running `node bin/qdbt.js`, and reading
 * rows and run results back.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellValue } from '../../src/adapters/index.js';
import type { HiveTarget } from '../../src/config/types.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = join(repoRoot, 'bin', 'qdbt.js');
export const HOST = '127.0.0.1';
export const HDFS = 'http://127.0.0.1:9870';

export interface Engine {
  name: 'hive' | 'spark';
  port: number;
}
export const ENGINES: Engine[] = [
  { name: 'hive', port: 10000 },
  { name: 'spark', port: 10010 },
];

export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

export const built = existsSync(join(repoRoot, 'dist', 'cli', 'main.js'));
export const up = Object.fromEntries(
  await Promise.all(ENGINES.map(async (e) => [e.name, built && (await portOpen(e.port))] as const)),
);

export function target(
  engine: Pick<Engine, 'port'>,
  schema: string,
  overrides: Partial<HiveTarget> = {},
): HiveTarget {
  return {
    name: 'it',
    profileName: 'fixture',
    type: 'hive',
    host: HOST,
    port: engine.port,
    auth: 'NONE',
    transport: 'binary',
    schema,
    threads: 1,
    session: {},
    connectTimeoutSeconds: 30,
    retries: 1,
    extra: {},
    file: 'profiles.yml',
    ...overrides,
  };
}

export function profiles(engine: Engine, schema: string): string {
  return [
    'fixture:',
    '  target: it',
    '  outputs:',
    '    it:',
    '      type: hive',
    `      host: ${HOST}`,
    `      port: ${engine.port}`,
    '      auth: NONE',
    `      schema: ${schema}`,
    '      threads: 4',
    `      hdfs_url: ${HDFS}`,
    '',
  ].join('\n');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function qdbt(dir: string, args: string[]): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, '--project-dir', dir], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

export function plain(value: CellValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+\.\d+$/.test(value)) return Number(value);
  return value;
}

/** Rows in a stable order, so queries need no ORDER BY (which costs a Tez job on Hive). */
export function byCells(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function statuses(dir: string): Record<string, { status: string; message: string | null }> {
  const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as {
    results: Array<{ unique_id: string; status: string; message: string | null }>;
  };
  return Object.fromEntries(
    results.results.map((r) => [
      r.unique_id.split('.').slice(2).join('.'),
      { status: r.status, message: r.message },
    ]),
  );
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadProjectConfig } from '../config/index.js';
import { QdbtError } from '../errors.js';

/** The servers of the local stack, in start order. */
export const SERVERS = ['namenode', 'datanode', 'kafka', 'hive', 'spark'] as const;
export type ServerName = (typeof SERVERS)[number];

export type Engine = 'hive' | 'spark' | 'both';

/** Every port the stack binds on 127.0.0.1, by name. */
export interface LocalPorts {
  namenode: number;
  namenode_http: number;
  datanode: number;
  datanode_http: number;
  datanode_ipc: number;
  hive: number;
  hive_http: number;
  spark: number;
  kafka: number;
  kafka_controller: number;
}

/** Maximum heap (-Xmx) per server, as the JVM spells it (`512m`, `3g`). */
export type LocalHeaps = Record<ServerName, string>;

export interface LocalSettings {
  engine: Engine;
  ports: LocalPorts;
  heap: LocalHeaps;
  /** How long `up` waits for each server to answer. */
  startTimeoutSeconds: number;
  /** Project folder; the stack lives in `<projectDir>/.qdbt/local`. */
  projectDir: string;
  home: string;
}

export const DEFAULT_PORTS: LocalPorts = {
  namenode: 8020,
  namenode_http: 9870,
  datanode: 9866,
  datanode_http: 9864,
  datanode_ipc: 9867,
  hive: 10000,
  hive_http: 10002,
  spark: 10010,
  kafka: 9092,
  kafka_controller: 9093,
};

export const DEFAULT_HEAPS: LocalHeaps = {
  namenode: '512m',
  datanode: '512m',
  kafka: '512m',
  hive: '3g',
  spark: '2g',
};
export const DEFAULT_START_TIMEOUT_SECONDS = 240;

/** Flags of `qdbt local up` (and friends) that override the `local:` block. */
export interface LocalFlags {
  engine?: string;
  port?: string[];
  heap?: string[];
  timeout?: string;
}

/**
 * The `local:` block of project.yml, raw, as src/config exposes it (`ProjectConfig.local`); this
 * module validates it. Without a project.yml the stack runs on defaults.
 */
export function readLocalBlock(projectDir: string): { block: Record<string, unknown>; file: string } {
  const file = path.join(projectDir, 'project.yml');
  if (!existsSync(file)) return { block: {}, file };
  const config = loadProjectConfig(projectDir);
  const local: unknown = config.local ?? {};
  if (typeof local !== 'object' || local === null || Array.isArray(local)) {
    throw new QdbtError(
      'project',
      '`local:` in project.yml must be a mapping (engine, ports, heap, start_timeout_seconds)',
      { location: { file } },
    );
  }
  return { block: local as Record<string, unknown>, file: config.file || file };
}

const HEAP_RE = /^[1-9][0-9]*[kmgKMG]$/;

function checkEngine(value: unknown, where: string): Engine {
  if (value === 'hive' || value === 'spark' || value === 'both') return value;
  throw new QdbtError('usage', `${where} must be hive, spark or both, not '${String(value)}'`);
}

function checkPort(value: unknown, where: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1024 && n <= 65535) return n;
  throw new QdbtError(
    'usage',
    `${where} must be a port number between 1024 and 65535, not '${String(value)}'`,
  );
}

function checkHeap(value: unknown, where: string): string {
  if (typeof value === 'string' && HEAP_RE.test(value)) return value.toLowerCase();
  throw new QdbtError('usage', `${where} must be a JVM heap size such as 512m or 2g, not '${String(value)}'`);
}

function checkKey<T extends object>(key: string, known: T, where: string): keyof T {
  if (Object.prototype.hasOwnProperty.call(known, key)) return key as keyof T;
  throw new QdbtError('usage', `${where}: unknown name '${key}'`, {
    hint: `Known: ${Object.keys(known).join(', ')}`,
  });
}

/** Validates the raw `local:` block, applies flags over it, and fills in defaults. */
export function resolveLocalSettings(
  projectDir: string,
  raw: Record<string, unknown>,
  flags: LocalFlags = {},
  file = 'project.yml',
): LocalSettings {
  const ports: LocalPorts = { ...DEFAULT_PORTS };
  const heap: LocalHeaps = { ...DEFAULT_HEAPS };
  let engine: Engine = 'hive';
  let startTimeoutSeconds = DEFAULT_START_TIMEOUT_SECONDS;
  const inFile = (what: string): string => `${path.basename(file)}: local.${what}`;
  try {
    for (const [key, value] of Object.entries(raw)) {
      if (key === 'engine') engine = checkEngine(value, inFile('engine'));
      else if (key === 'start_timeout_seconds') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 5)
          throw new QdbtError('usage', `${inFile(key)} must be a whole number of seconds (5 or more)`);
        startTimeoutSeconds = value;
      } else if (key === 'ports' || key === 'heap') {
        if (!value || typeof value !== 'object' || Array.isArray(value))
          throw new QdbtError('usage', `${inFile(key)} must be a mapping of server name to value`);
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
          if (key === 'ports')
            ports[checkKey(name, ports, inFile('ports'))] = checkPort(v, inFile(`ports.${name}`));
          else heap[checkKey(name, heap, inFile('heap'))] = checkHeap(v, inFile(`heap.${name}`));
        }
      } else {
        throw new QdbtError('usage', `${inFile(key)}: unknown setting`, {
          hint: 'Known: engine, ports, heap, start_timeout_seconds',
        });
      }
    }
  } catch (error) {
    if (error instanceof QdbtError)
      throw new QdbtError('project', error.message, { location: { file }, hint: error.hint });
    throw error;
  }
  if (flags.engine !== undefined) engine = checkEngine(flags.engine, '--engine');
  for (const pair of flags.port ?? []) {
    const [name, value] = splitPair(pair, '--port');
    ports[checkKey(name, ports, '--port')] = checkPort(value, `--port ${name}`);
  }
  for (const pair of flags.heap ?? []) {
    const [name, value] = splitPair(pair, '--heap');
    heap[checkKey(name, heap, '--heap')] = checkHeap(value, `--heap ${name}`);
  }
  if (flags.timeout !== undefined) {
    const n = Number(flags.timeout);
    if (!Number.isInteger(n) || n < 5)
      throw new QdbtError('usage', `--timeout takes whole seconds (5 or more), not '${flags.timeout}'`);
    startTimeoutSeconds = n;
  }
  const seen = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = seen.get(port);
    if (other)
      throw new QdbtError(
        'usage',
        `ports ${other} and ${name} are both ${port}: every port of the local stack must differ`,
      );
    seen.set(port, name);
  }
  const root = path.resolve(projectDir);
  return {
    engine,
    ports,
    heap,
    startTimeoutSeconds,
    projectDir: root,
    home: path.join(root, '.qdbt', 'local'),
  };
}

function splitPair(pair: string, flag: string): [string, string] {
  const i = pair.indexOf('=');
  if (i <= 0) throw new QdbtError('usage', `${flag} takes name=value, not '${pair}'`);
  return [pair.slice(0, i), pair.slice(i + 1)];
}

/** Loads settings for a project folder: project.yml's `local:` block, then flags. */
export function loadLocalSettings(projectDir: string, flags: LocalFlags = {}): LocalSettings {
  const { block, file } = readLocalBlock(projectDir);
  return resolveLocalSettings(projectDir, block, flags, file);
}

/** Servers an engine choice needs, in start order. */
export function serversFor(engine: Engine): ServerName[] {
  return SERVERS.filter((s) =>
    s === 'hive' ? engine !== 'spark' : s === 'spark' ? engine !== 'hive' : true,
  );
}

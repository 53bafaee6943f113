/**
 * An in-memory HDFS (the WebHdfsClient calls compaction makes) and a Hive adapter that records its
 * statements and keeps partition locations, for testing compaction's decisions without servers.
 *
 * Faults: `crashAt` throws before the n-th change (create, append, rename, delete, mkdirs), as a
 * process killed there would stop. Guards: `protect` names paths no delete may touch (throws).
 */
import { Readable } from 'node:stream';
import { WebHdfsError, type FileStatus, type WebHdfsClient } from '../../../../src/ingest/hdfs/webhdfs.js';
import type { RegisterAdapter } from '../../../../src/ingest/register/index.js';

export class Crash extends Error {
  constructor(readonly step: string) {
    super(`crash before ${step}`);
  }
}

const notFound = (op: string, path: string) =>
  new WebHdfsError(op, path, 404, 'FileNotFoundException', 'java.io.FileNotFoundException', 'not found');

async function bytesOf(body: unknown): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export class MemHdfs {
  readonly files = new Map<string, { data: Buffer; mtime: number }>();
  readonly dirs = new Set<string>(['/']);
  /** Every change made, in order (`op path`). */
  readonly changes: string[] = [];
  crashAt = Infinity;
  /** Called before each delete with the path; throw to refuse (an invariant broken). */
  guard: (path: string) => void = () => undefined;
  /** Called after a successful rename (tests corrupt a merged file there). */
  afterRename: (from: string, to: string) => Promise<void> = async () => undefined;
  private clock = 1_700_000_000_000;

  private change(op: string, path: string): void {
    if (this.changes.length + 1 >= this.crashAt) throw new Crash(`${op} ${path}`);
    this.changes.push(`${op} ${path}`);
  }

  private mkdirp(path: string): void {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) this.dirs.add(`/${parts.slice(0, i).join('/')}`);
  }

  private parent(path: string): string {
    return path.slice(0, path.lastIndexOf('/')) || '/';
  }

  put(path: string, data: string | Buffer): void {
    this.mkdirp(this.parent(path));
    this.files.set(path, { data: Buffer.from(data), mtime: this.clock++ });
  }

  text(path: string): string {
    return this.files.get(path)!.data.toString('utf8');
  }

  /** Names directly in a folder (files and folders), sorted. */
  names(dir: string): string[] {
    const out = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs])
      if (p.startsWith(`${dir}/`)) out.add(p.slice(dir.length + 1).split('/')[0]!);
    return [...out].sort();
  }

  private statusOf(path: string): FileStatus | null {
    const file = this.files.get(path);
    const base = { owner: 'q', group: 'q', permission: '644', accessTime: 0, replication: 1, blockSize: 1 };
    const pathSuffix = path.slice(path.lastIndexOf('/') + 1);
    if (file)
      return { ...base, pathSuffix, type: 'FILE', length: file.data.length, modificationTime: file.mtime };
    if (this.dirs.has(path))
      return { ...base, pathSuffix, type: 'DIRECTORY', length: 0, modificationTime: 0 };
    return null;
  }

  // ---- the WebHdfsClient calls

  list = async (path: string): Promise<FileStatus[]> => {
    if (!this.dirs.has(path)) throw notFound('LISTSTATUS', path);
    return this.names(path).map((n) => this.statusOf(`${path}/${n}`)!);
  };

  status = async (path: string): Promise<FileStatus | null> => this.statusOf(path);

  exists = async (path: string): Promise<boolean> => this.statusOf(path) !== null;

  read = async (path: string): Promise<Buffer> => {
    const file = this.files.get(path);
    if (!file) throw notFound('OPEN', path);
    return file.data;
  };

  openStream = async (path: string): Promise<Readable> => Readable.from([await this.read(path)]);

  mkdirs = async (path: string): Promise<boolean> => {
    this.change('MKDIRS', path);
    this.mkdirp(path);
    return true;
  };

  create = async (path: string, body: unknown, options: { overwrite?: boolean } = {}): Promise<void> => {
    const data = await bytesOf(body);
    this.change('CREATE', path);
    if (this.files.has(path) && !options.overwrite)
      throw new WebHdfsError('CREATE', path, 403, 'FileAlreadyExistsException', '', 'exists');
    this.put(path, data);
  };

  append = async (path: string, body: unknown): Promise<void> => {
    const data = await bytesOf(body);
    this.change('APPEND', path);
    const file = this.files.get(path);
    if (!file) throw notFound('APPEND', path);
    file.data = Buffer.concat([file.data, data]);
    file.mtime = this.clock++;
  };

  rename = async (from: string, to: string): Promise<boolean> => {
    this.change('RENAME', `${from} -> ${to}`);
    if (!this.statusOf(from) || this.statusOf(to) || !this.dirs.has(this.parent(to))) return false;
    for (const [p, f] of [...this.files])
      if (p === from || p.startsWith(`${from}/`)) {
        this.files.delete(p);
        this.files.set(to + p.slice(from.length), f);
      }
    for (const d of [...this.dirs])
      if (d === from || d.startsWith(`${from}/`)) {
        this.dirs.delete(d);
        this.dirs.add(to + d.slice(from.length));
      }
    await this.afterRename(from, to);
    return true;
  };

  delete = async (path: string, options: { recursive?: boolean } = {}): Promise<boolean> => {
    this.guard(path);
    this.change('DELETE', path);
    if (this.files.delete(path)) return true;
    if (!this.dirs.has(path)) return false;
    const inside = [...this.files.keys(), ...this.dirs].filter((p) => p.startsWith(`${path}/`));
    if (inside.length && !options.recursive) throw new Error(`${path} is not empty`);
    for (const p of inside) {
      this.files.delete(p);
      this.dirs.delete(p);
    }
    this.dirs.delete(path);
    return true;
  };

  get client(): WebHdfsClient {
    return this as unknown as WebHdfsClient;
  }
}

/** Partitions and their locations as the metastore has them; every statement recorded. */
export class FakeHive {
  readonly statements: string[] = [];
  readonly locations = new Map<string, string>();
  /** Called after each SET LOCATION. */
  onSet: (key: string, location: string) => void = () => undefined;

  constructor(private readonly table: string) {}

  execute = async (sql: string): Promise<{ rows: unknown[][] }> => {
    this.statements.push(sql);
    if (sql === `SHOW PARTITIONS ${this.table}`)
      return { rows: [...this.locations.keys()].sort().map((k) => [k]) };
    const spec = /PARTITION \((.*)\)/.exec(sql)?.[1] ?? '';
    const key = [...spec.matchAll(/`?(\w+)`?\s*=\s*'([^']*)'/g)].map((m) => `${m[1]}=${m[2]}`).join('/');
    if (sql.startsWith(`DESCRIBE FORMATTED ${this.table} PARTITION`)) {
      const location = this.locations.get(key);
      if (!location) throw new Error(`partition not found: ${key}`);
      return { rows: [['Location:', location]] };
    }
    const set = /^ALTER TABLE .* SET LOCATION '([^']*)'$/.exec(sql);
    if (set) {
      this.locations.set(key, set[1]!);
      this.onSet(key, set[1]!);
      return { rows: [] };
    }
    throw new Error(`unexpected statement: ${sql}`);
  };

  /** The folder (no scheme) a partition reads. */
  folder(key: string): string {
    return this.locations.get(key)!.replace(/^[a-z]+:\/\/[^/]*/i, '');
  }

  get adapter(): RegisterAdapter {
    return {
      execute: this.execute,
      capabilities: {},
      createSchemaIfMissing: async () => undefined,
    } as unknown as RegisterAdapter;
  }
}

import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import type { GraphNode, Manifest } from '../manifest/types.js';

/**
 * target/manifest.json, written to a temporary name and renamed, so readers never see half of it.
 * Written entry by entry: one JSON string of a 50,000-node manifest would cost hundreds of MB.
 */
export function writeManifest(targetDir: string, manifest: Manifest): string {
  mkdirSync(targetDir, { recursive: true });
  const path = join(targetDir, 'manifest.json');
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    let buffered = '';
    const write = (text: string) => {
      buffered += text;
      if (buffered.length > 1 << 20) {
        writeSync(fd, buffered);
        buffered = '';
      }
    };
    write('{');
    let firstKey = true;
    for (const [key, value] of Object.entries(manifest)) {
      if (value === undefined) continue;
      write(`${firstKey ? '' : ','}${JSON.stringify(key)}:`);
      firstKey = false;
      if (
        key === 'nodes' ||
        key === 'sources' ||
        key === 'macros' ||
        key === 'parent_map' ||
        key === 'child_map'
      ) {
        write('{');
        let first = true;
        for (const [id, entry] of Object.entries(value as Record<string, unknown>)) {
          write(`${first ? '' : ','}${JSON.stringify(id)}:${JSON.stringify(entry)}`);
          first = false;
        }
        write('}');
      } else {
        write(JSON.stringify(value));
      }
    }
    write('}');
    writeSync(fd, buffered);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return path;
}

/** dbt's layout: target/compiled/<project>/<original_file_path>; generic tests under their YAML file's path. */
export function compiledPathOf(projectName: string, targetPath: string, node: GraphNode): string {
  const relative =
    node.resource_type === 'test' && 'test_metadata' in node && node.test_metadata
      ? `${node.original_file_path}/${node.name}.sql`
      : node.original_file_path;
  return `${targetPath}/compiled/${projectName}/${relative}`;
}

/**
 * Writes compiled SQL on a worker thread while the main thread compiles the next slice. Small-file
 * writes are syscall-bound; done synchronously on their own thread they overlap with compiling.
 * When the main thread has nothing else left to do, it writes the batches the worker has not
 * started: batches are claimed through a shared counter, so each is written once. Unchanged files
 * are left alone, so a no-op compile writes nothing.
 */
export class CompiledFileWriter {
  private readonly worker: Worker;
  private readonly done: Promise<number>;
  /** [0]: the next batch to claim. */
  private readonly claims = new Int32Array(new SharedArrayBuffer(4));
  private readonly batches: Array<string | string[] | null> = [];

  /** Start it early: a thread takes tens of milliseconds to start. */
  constructor(private readonly projectDir: string) {
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { projectDir, claims: this.claims } });
    this.done = new Promise<number>((resolve, reject) => {
      this.worker.once('message', (message: { written?: number; error?: string }) =>
        message.error
          ? reject(new Error(`writing compiled SQL failed: ${message.error}`))
          : resolve(message.written ?? 0),
      );
      this.worker.once('error', reject);
    });
  }

  enqueue(nodes: GraphNode[]): void {
    // One string per batch: copying it to the worker costs far less than cloning thousands of pairs.
    const parts: string[] = [];
    let separatorFree = true;
    for (const node of nodes) {
      if (node.compiled_path && node.compiled_code !== undefined) {
        parts.push(node.compiled_path, node.compiled_code);
        if (node.compiled_code.includes(SEPARATOR)) separatorFree = false;
      }
    }
    if (!parts.length) return;
    const batch = separatorFree ? parts.join(SEPARATOR) : parts;
    this.batches.push(batch);
    this.worker.postMessage(batch);
  }

  /** Stop the thread without waiting for what it was given (when compiling failed). */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  /** Finish writing, with the main thread's help; returns how many files changed. */
  async drain(): Promise<number> {
    const total = this.batches.length;
    this.worker.postMessage({ end: total });
    try {
      let written = 0;
      const state = newWriterState();
      for (let i = Atomics.add(this.claims, 0, 1); i < total; i = Atomics.add(this.claims, 0, 1)) {
        written += writeBatch(this.batches[i]!, this.projectDir, state, WRITER_IO);
        this.batches[i] = null;
      }
      return written + (await this.done);
    } finally {
      await this.worker.terminate();
    }
  }
}

/** Between paths and SQL in a batch: NUL cannot occur in a path (SQL holding one is sent as a list). */
const SEPARATOR = '\0';

interface WriterState {
  made: Set<string>;
  /** Folders this thread created: no file can be there yet, so nothing to compare against. */
  fresh: Set<string>;
}

interface WriterIo {
  mkdirSync: typeof mkdirSync;
  readFileSync: typeof readFileSync;
  writeFileSync: typeof writeFileSync;
  join: typeof join;
  dirname: typeof dirname;
}

/** One function for both threads: the worker runs it from this source text. */
const WRITE_BATCH_SOURCE = `function writeBatch(batch, projectDir, state, io) {
  const parts = typeof batch === 'string' ? batch.split('\\0') : batch;
  let written = 0;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const path = io.join(projectDir, parts[i]);
    const text = parts[i + 1];
    const dir = io.dirname(path);
    if (!state.made.has(dir)) {
      if (io.mkdirSync(dir, { recursive: true }) !== undefined) state.fresh.add(dir);
      state.made.add(dir);
    }
    let current = null;
    if (!state.fresh.has(dir)) try { current = io.readFileSync(path, 'utf8'); } catch {}
    if (current === text) continue;
    io.writeFileSync(path, text);
    written++;
  }
  return written;
}`;

const writeBatch = new Function(`return ${WRITE_BATCH_SOURCE}`)() as (
  batch: string | string[],
  projectDir: string,
  state: WriterState,
  io: WriterIo,
) => number;

const WRITER_IO: WriterIo = { mkdirSync, readFileSync, writeFileSync, join, dirname };

function newWriterState(): WriterState {
  return { made: new Set(), fresh: new Set() };
}

// Batches arrive in order; the worker writes the one it claimed once it has it, and stops at the end
// as soon as its claim is past the last batch.
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
${WRITE_BATCH_SOURCE}
const io = { mkdirSync, readFileSync, writeFileSync, join, dirname };
const state = { made: new Set(), fresh: new Set() };
const received = [];
let total = -1;
let claim = -1;
let written = 0;
parentPort.on('message', (message) => {
  try {
    if (typeof message === 'string' || Array.isArray(message)) received.push(message);
    else total = message.end;
    for (;;) {
      if (claim === -1) claim = Atomics.add(workerData.claims, 0, 1);
      if (claim < received.length) {
        written += writeBatch(received[claim], workerData.projectDir, state, io);
        received[claim] = null;
        claim = -1;
      } else {
        if (total !== -1 && claim >= total) parentPort.postMessage({ written });
        return;
      }
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

/** Write the compiled SQL of some nodes and wait for it; returns how many files changed. */
export async function writeCompiledFiles(projectDir: string, nodes: GraphNode[]): Promise<number> {
  const writer = new CompiledFileWriter(projectDir);
  writer.enqueue(nodes);
  return writer.drain();
}

export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

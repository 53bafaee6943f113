import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
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
 * Unchanged files are left alone, so a no-op compile writes nothing.
 */
export class CompiledFileWriter {
  private readonly worker: Worker;
  private readonly done: Promise<number>;

  constructor(projectDir: string) {
    this.worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { projectDir } });
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
    if (parts.length) this.worker.postMessage(separatorFree ? parts.join(SEPARATOR) : parts);
  }

  /** Finish writing; returns how many files changed. */
  async drain(): Promise<number> {
    this.worker.postMessage(null);
    try {
      return await this.done;
    } finally {
      await this.worker.terminate();
    }
  }
}

/** Between paths and SQL in a batch: NUL cannot occur in a path (SQL holding one is sent as a list). */
const SEPARATOR = '\0';

const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const made = new Set();
// Folders this run created: no file can be there yet, so nothing to compare against.
const fresh = new Set();
let written = 0;
parentPort.on('message', (batch) => {
  if (batch === null) return parentPort.postMessage({ written });
  try {
    const parts = typeof batch === 'string' ? batch.split('\\0') : batch;
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const path = join(workerData.projectDir, parts[i]);
      const text = parts[i + 1];
      const dir = dirname(path);
      if (!made.has(dir)) {
        if (mkdirSync(dir, { recursive: true }) !== undefined) fresh.add(dir);
        made.add(dir);
      }
      let current = null;
      if (!fresh.has(dir)) try { current = readFileSync(path, 'utf8'); } catch {}
      if (current === text) continue;
      writeFileSync(path, text);
      written++;
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

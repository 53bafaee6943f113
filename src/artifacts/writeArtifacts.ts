import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GraphNode, Manifest } from '../manifest/types.js';

/** target/manifest.json, written whole to a temporary name and renamed, so readers never see half of it. */
export function writeManifest(targetDir: string, manifest: Manifest): string {
  mkdirSync(targetDir, { recursive: true });
  const path = join(targetDir, 'manifest.json');
  writeFileAtomic(path, JSON.stringify(manifest));
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
 * Writes compiled SQL while compilation goes on: small-file writes are latency-bound, so many are
 * kept in flight on libuv's threads. Unchanged files are left alone.
 */
export class CompiledFileWriter {
  private readonly queue: Array<{ path: string; text: string }> = [];
  private readonly madeDirs = new Set<string>();
  private running = 0;
  private idle: (() => void) | null = null;
  private failure: unknown = null;
  written = 0;

  constructor(
    private readonly projectDir: string,
    private readonly concurrency = 32,
  ) {}

  enqueue(nodes: GraphNode[]): void {
    for (const node of nodes) {
      if (!node.compiled_path || node.compiled_code === undefined) continue;
      const path = join(this.projectDir, node.compiled_path);
      const dir = dirname(path);
      if (!this.madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      this.queue.push({ path, text: node.compiled_code });
    }
    while (this.running < this.concurrency && this.queue.length) this.startOne();
  }

  async drain(): Promise<number> {
    if (this.running > 0 || this.queue.length > 0)
      await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.failure) throw this.failure;
    return this.written;
  }

  private startOne(): void {
    const job = this.queue.pop()!;
    this.running++;
    readFile(job.path, 'utf8')
      .catch(() => null)
      .then((current) => (current === job.text ? false : writeFile(job.path, job.text).then(() => true)))
      .then(
        (wrote) => {
          if (wrote) this.written++;
        },
        (error: unknown) => {
          this.failure ??= error;
        },
      )
      .finally(() => {
        this.running--;
        if (this.queue.length) this.startOne();
        else if (this.running === 0 && this.idle) this.idle();
      });
  }
}

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

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
 * Write compiled SQL of the given nodes, many files at once (small-file writes are latency-bound);
 * unchanged files are left alone so a no-op compile stays cheap.
 */
export async function writeCompiledFiles(projectDir: string, nodes: GraphNode[]): Promise<number> {
  const jobs: Array<{ path: string; text: string }> = [];
  const dirs = new Set<string>();
  for (const node of nodes) {
    if (!node.compiled_path || node.compiled_code === undefined) continue;
    const path = join(projectDir, node.compiled_path);
    dirs.add(dirname(path));
    jobs.push({ path, text: node.compiled_code });
  }
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  let written = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const current = await readFile(job.path, 'utf8').catch(() => null);
      if (current === job.text) continue;
      await writeFile(job.path, job.text);
      written++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return written;
}

export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

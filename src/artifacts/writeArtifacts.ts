import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** Write compiled SQL of the given nodes; unchanged files are left alone so a no-op compile stays cheap. */
export function writeCompiledFiles(projectDir: string, nodes: GraphNode[]): number {
  let written = 0;
  const madeDirs = new Set<string>();
  for (const node of nodes) {
    if (!node.compiled_path || node.compiled_code === undefined) continue;
    const path = join(projectDir, node.compiled_path);
    const dir = dirname(path);
    if (!madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    if (existsSync(path) && readFileSync(path, 'utf8') === node.compiled_code) continue;
    writeFileSync(path, node.compiled_code);
    written++;
  }
  return written;
}

export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

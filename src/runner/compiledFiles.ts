import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GraphNode } from '../manifest/types.js';

/**
 * The compiled SQL of the nodes a run executes, under target/compiled/ (the error summary points
 * there). Unchanged files are left alone.
 */
export function writeRunCompiledFiles(projectDir: string, nodes: GraphNode[]): number {
  let written = 0;
  const made = new Set<string>();
  for (const node of nodes) {
    if (!node.compiled_path || node.compiled_code === undefined) continue;
    const path = join(projectDir, node.compiled_path);
    const dir = dirname(path);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    if (existsSync(path) && readFileSync(path, 'utf8') === node.compiled_code) continue;
    writeFileSync(path, node.compiled_code);
    written++;
  }
  return written;
}

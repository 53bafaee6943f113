/**
 * dagre's browser build (one IIFE defining the global `dagre`, graphlib included, about 50 KB),
 * read from the installed package so that index.html can inline it and work offline.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | null = null;

export function dagreBrowserBuild(): string {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@dagrejs/dagre'));
  const code = readFileSync(join(dist, 'dagre.min.js'), 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
  const license = readFileSync(join(dist, 'dagre.min.js.LEGAL.txt'), 'utf8').replace(/\*\//g, '* /');
  cached = `/* @dagrejs/dagre, MIT license:\n${license}\n*/\n${code}`;
  return cached;
}

#!/usr/bin/env node
// Compiles the AssemblyScript source of the good-rows fast path (goodRows.as) to
// dist/ingest/batch/wasm/goodRows.wasm: `npm run build:wasm`, run by `npm run build`.
// The source is named .as so that tsc, which type-checks every .ts file of src/, leaves it alone;
// asc gets it as a string.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const out = join(root, 'dist', 'ingest', 'batch', 'wasm', 'goodRows.wasm');

const source = readFileSync(join(here, 'goodRows.as'), 'utf8');
const { error, binary, stderr } = await asc.compileString(
  { 'goodRows.ts': source },
  { optimizeLevel: 3, shrinkLevel: 0, runtime: 'stub', noAssert: true, use: ['abort='], enable: ['simd'] },
);
if (error || !binary) {
  console.error(stderr.toString());
  console.error(`build:wasm: ${error?.message ?? 'no binary'}`);
  process.exit(1);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, binary);
console.log(`build:wasm: ${out} (${binary.length} bytes)`);

#!/usr/bin/env node
// Times the whole `qdbt compile` process on generated projects of 1,000, 10,000 and 50,000 models:
// layered refs, macros, configs, property YAML and data tests. Prints models/s and peak memory.
// Goal on a 2-core machine: 10,000 models cold in <= 1.5 s, 50,000 in <= 5x that, < 1 GiB;
// a second run with nothing changed (the cache) under 0.3 s for 10,000.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = join(root, 'bench', '.work');
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,50000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
/** Bump when the generated project changes, so that kept projects are made again. */
const GENERATOR_VERSION = 2;

export function generateProject(dir, models) {
  // The project is the same for the same size: kept between runs (deleting it slows the disk).
  const marker = join(dir, `.generated-${GENERATOR_VERSION}-${models}`);
  if (existsSync(marker)) return models;
  rmSync(dir, { recursive: true, force: true });
  const write = (path, text) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write(
    'project.yml',
    `name: bench\nversion: '1.0'\nprofile: bench\nvars:\n  start_date: '2024-01-01'\nmodels:\n  bench:\n    +materialized: view\n    layer_2:\n      +materialized: table\n      +tags: ['heavy']\n`,
  );
  write(
    'profiles.yml',
    `bench:\n  target: local\n  outputs:\n    local:\n      type: hive\n      schema: bench\n`,
  );
  write(
    'macros/helpers.sql',
    `{% macro cents(column, scale=2) -%}\n  cast({{ column }} * 100 as decimal(18, {{ scale }}))\n{%- endmacro %}\n\n{% macro clean(column) -%}\n  lower(trim({{ column }}))\n{%- endmacro %}\n`,
  );
  write(
    'models/sources.yml',
    `version: 2\nsources:\n  - name: raw\n    schema: raw\n    tables:\n${Array.from({ length: 20 }, (_, i) => `      - name: t${i}\n`).join('')}`,
  );
  const layers = 4;
  const perLayer = Math.ceil(models / layers);
  const perFolder = 100;
  let yaml = null;
  let yamlPath = '';
  let count = 0;
  const flushYaml = () => {
    if (yaml) write(yamlPath, yaml);
  };
  for (let i = 0; i < models; i++) {
    const layer = Math.floor(i / perLayer);
    const folder = Math.floor((i % perLayer) / perFolder);
    const name = `m_${layer}_${i}`;
    const path = `models/layer_${layer}/f${folder}/${name}.sql`;
    if (i % perFolder === 0 || i % perLayer === 0) {
      flushYaml();
      yaml = 'version: 2\nmodels:\n';
      yamlPath = `models/layer_${layer}/f${folder}/schema_${i}.yml`;
    }
    let sql;
    if (layer === 0) {
      sql = `select id, amount, name, updated_at\nfrom {{ source('raw', 't${i % 20}') }}\nwhere updated_at >= '2024-01-01'\n`;
    } else {
      const prev = (k) => {
        const base = (layer - 1) * perLayer;
        return `m_${layer - 1}_${base + ((i * 7 + k * 13) % perLayer)}`;
      };
      const a = prev(1);
      const b = prev(2);
      if (i % 5 === 0) {
        sql = `{{ config(materialized='table', tags=['finance']) }}\nselect a.id, {{ cents('a.amount') }} as amount_cents, {{ clean('b.name') }} as name\nfrom {{ ref('${a}') }} a\njoin {{ ref('${b}') }} b on a.id = b.id\n{% if var('start_date', none) %}where a.updated_at >= '{{ var("start_date") }}'{% endif %}\n`;
      } else if (i % 5 === 1) {
        sql = `{{ config(materialized='incremental', incremental_strategy='append') }}\nselect a.id, a.amount, a.name, a.updated_at\nfrom {{ ref('${a}') }} a\n`;
      } else {
        sql = `select a.id, a.amount + b.amount as amount, a.name, a.updated_at\nfrom {{ ref('${a}') }} a\nleft join {{ ref('${b}') }} b on a.id = b.id\n`;
      }
    }
    write(path, sql);
    yaml += `  - name: ${name}\n    description: Model ${i} of the benchmark.\n    columns:\n      - name: id\n        description: The key.\n${i % 2 === 0 ? '        data_tests: [not_null]\n' : ''}`;
    count++;
  }
  flushYaml();
  writeFileSync(marker, '');
  return count;
}

function timeCompile(dir, targetPath) {
  const result = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %M %U %S',
      process.execPath,
      join(root, 'bin', 'qdbt.js'),
      'compile',
      '--project-dir',
      dir,
      '--target-path',
      targetPath,
      '--quiet',
    ],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    throw new Error(`qdbt compile failed in ${dir}`);
  }
  const last = result.stderr.trim().split('\n').pop();
  const [seconds, kb, user, sys] = last.split(' ').map(Number);
  return { seconds, mib: kb / 1024, cpu: user + sys };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (!existsSync(join(root, 'dist', 'cli', 'main.js')))
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
console.log(`qdbt compile benchmark (node ${process.version}, ${runs} runs each, median)`);
console.log('models   cold s   cold cpu s   models/s   peak MiB   cached s   cached peak MiB');
const results = [];
const leftovers = [];
for (const size of sizes) {
  const dir = join(work, `project_${size}`);
  generateProject(dir, size);
  const cold = [];
  const cached = [];
  // Cold: no cache and no compiled files, as in a fresh clone. Each run gets a target folder never
  // used before, and all are deleted at the very end: right after deleting many thousands of files,
  // this machine's disk (ext4 with discard) is several times slower at creating them.
  const targets = Array.from({ length: runs }, (_, r) => `target_bench_${process.pid}_${r}`);
  for (const target of targets) {
    cold.push(timeCompile(dir, target));
    cached.push(timeCompile(dir, target));
  }
  leftovers.push(...targets.map((t) => join(dir, t)));
  const coldS = median(cold.map((c) => c.seconds));
  const row = {
    size,
    coldS,
    rate: Math.round(size / coldS),
    coldCpu: median(cold.map((c) => c.cpu)),
    coldMiB: Math.max(...cold.map((c) => c.mib)),
    cachedS: median(cached.map((c) => c.seconds)),
    cachedMiB: Math.max(...cached.map((c) => c.mib)),
  };
  results.push(row);
  console.log(
    `${String(size).padStart(6)}   ${row.coldS.toFixed(2).padStart(6)}   ${row.coldCpu.toFixed(2).padStart(10)}   ${String(row.rate).padStart(8)}   ${row.coldMiB.toFixed(0).padStart(8)}   ${row.cachedS.toFixed(2).padStart(8)}   ${row.cachedMiB.toFixed(0).padStart(15)}`,
  );
}
const ten = results.find((r) => r.size === 10000);
const fifty = results.find((r) => r.size === 50000);
if (ten && fifty) console.log(`scaling 50k/10k: ${(fifty.coldS / ten.coldS).toFixed(2)}x (goal <= 5x)`);
for (const path of leftovers) rmSync(path, { recursive: true, force: true });

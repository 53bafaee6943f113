#!/usr/bin/env node
// qdbt's own overhead when running models, against a baseline that sends exactly the same
// statements, in the same order, with the same parallelism, straight through hive-driver.
//
//   npm run bench:run                      real HiveServer2 at BENCH_HOST:BENCH_PORT (127.0.0.1:10000)
//   BENCH_FAKE=1 npm run bench:run         no server: a fake adapter answering after BENCH_LATENCY_MS
// (Without dist/adapters/index.js, qdbt runs in-process on the baseline's HiveConnection sessions.)
//
// For N = 50 and 200 trivial view models (BENCH_SIZES), each run: `qdbt run --threads T` as a
// process (its statements recorded from `--log-format json --debug`), then the baseline as a
// process replaying those statements per node on T sessions. Prints both wall times, the ratio
// and qdbt's overhead per model; the median of BENCH_RUNS runs. Goal: under 20 ms per model.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout } from 'node:timers';
import { performance } from 'node:perf_hooks';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = join(root, 'bench', '.work', 'run');
const sizes = (process.env.BENCH_SIZES ?? '50,200').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const threads = Number(process.env.BENCH_THREADS ?? 8);
const host = process.env.BENCH_HOST ?? '127.0.0.1';
const port = Number(process.env.BENCH_PORT ?? 10000);
const fake = process.env.BENCH_FAKE === '1';
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 5);
const schema = process.env.BENCH_SCHEMA ?? 'qdbt_bench_run';

if (process.argv[2] === '--baseline') await baseline(process.argv[3]);
else if (process.argv[2] === '--qdbt-fake') await qdbtFake(process.argv[3]);
else await main();

async function main() {
  console.log(
    `bench:run  ${fake ? `fake adapter, ${latencyMs} ms per statement` : `HiveServer2 ${host}:${port}`}, --threads ${threads}, ${runs} runs each`,
  );
  const rows = [];
  for (const n of sizes) {
    const dir = join(work, `p${n}`);
    generateProject(dir, n);
    const overheads = [];
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const q = timeQdbt(dir);
      const statementsFile = join(dir, 'statements.json');
      writeFileSync(statementsFile, JSON.stringify(q.nodes));
      const b = timeProcess([fileURLToPath(import.meta.url), '--baseline', statementsFile]);
      const overhead = (q.ms - b.ms) / n;
      overheads.push(overhead);
      samples.push({ qdbt: q.ms, baseline: b.ms, statements: q.statements });
    }
    const i = medianIndex(overheads);
    const s = samples[i];
    rows.push({ n, ...s, ratio: s.qdbt / s.baseline, overhead: overheads[i] });
  }
  console.log('');
  console.log('models  statements  qdbt (ms)  baseline (ms)  ratio  overhead/model (ms)');
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(6)}  ${String(r.statements).padStart(10)}  ${r.qdbt.toFixed(0).padStart(9)}  ${r.baseline.toFixed(0).padStart(13)}  ${r.ratio.toFixed(2).padStart(5)}  ${r.overhead.toFixed(1).padStart(19)}${r.overhead < 20 ? '' : '   (goal: < 20)'}`,
    );
  }
}

function generateProject(dir, n) {
  rmSync(dir, { recursive: true, force: true });
  const write = (path, text) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write(
    'project.yml',
    `name: bench_run\nversion: '1.0'\nprofile: bench_run\nmodels:\n  bench_run:\n    +materialized: view\n`,
  );
  write(
    'profiles.yml',
    `bench_run:\n  target: bench\n  outputs:\n    bench:\n      type: hive\n      host: ${host}\n      port: ${port}\n      schema: ${schema}\n      threads: ${threads}\n`,
  );
  for (let i = 0; i < n; i++)
    write(`models/m_${String(i).padStart(4, '0')}.sql`, `select ${i} as id, 'model ${i}' as name`);
}

/** Runs qdbt as a process; returns its wall time and the statements it sent, per node in start order. */
function timeQdbt(dir) {
  const inProcess = fake || !existsSync(join(root, 'dist', 'adapters', 'index.js'));
  const args = inProcess
    ? [fileURLToPath(import.meta.url), '--qdbt-fake', dir]
    : [
        join(root, 'bin', 'qdbt.js'),
        'run',
        '--project-dir',
        dir,
        '--threads',
        String(threads),
        '--log-format',
        'json',
        '--debug',
      ];
  const { ms, stdout, status, stderr } = timeProcess(args);
  if (status !== 0) throw new Error(`qdbt run exited ${status}:\n${stderr}\n${stdout.slice(-4000)}`);
  const nodes = [];
  const byNode = new Map();
  let statements = 0;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line);
    if (event.name !== 'statement') continue;
    const id = event.data.unique_id ?? '-';
    let list = byNode.get(id);
    if (!list) {
      byNode.set(id, (list = []));
      nodes.push({ id, statements: list });
    }
    list.push(event.data.sql);
    statements++;
  }
  return { ms, nodes, statements };
}

function timeProcess(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - started;
  if (result.status !== 0 && args[1] === '--baseline') throw new Error(`baseline failed:\n${result.stderr}`);
  return { ms, stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function medianIndex(values) {
  const order = values.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)][1];
}

/** The baseline: the recorded statements, node by node on `threads` sessions, nothing else. */
async function baseline(file) {
  const nodes = JSON.parse(readFileSync(file, 'utf8'));
  const sessions = [];
  if (fake) {
    for (let t = 0; t < threads; t++)
      sessions.push({ execute: () => new Promise((r) => setTimeout(r, latencyMs)), close: async () => {} });
  } else {
    const { HiveConnection } = await import(
      pathToFileURL(join(root, 'dist', 'adapters', 'hive', 'connection.js')).href
    );
    const open = () =>
      HiveConnection.open({
        host,
        port,
        auth: 'NONE',
        user: process.env.USER ?? 'hive',
        database: 'default',
      });
    sessions.push(...(await Promise.all(Array.from({ length: threads }, open))));
    await sessions[0].execute(`create database if not exists ${schema}`);
  }
  let next = 0;
  const worker = async (session) => {
    while (next < nodes.length) {
      const node = nodes[next++];
      for (const sql of node.statements) await session.execute(sql);
    }
  };
  await Promise.all(sessions.map(worker));
  await Promise.all(sessions.map((s) => s.close()));
}

/**
 * Until src/adapters/index.ts lands: the same HiveConnection sessions the baseline uses, one per
 * thread, behind the adapter's execute(). Measures the runner and materializations, not the adapter.
 */
async function connectionPool() {
  const { HiveConnection } = await import(
    pathToFileURL(join(root, 'dist', 'adapters', 'hive', 'connection.js')).href
  );
  const open = () =>
    HiveConnection.open({ host, port, auth: 'NONE', user: process.env.USER ?? 'hive', database: 'default' });
  const free = await Promise.all(Array.from({ length: threads }, open));
  const all = [...free];
  const waiting = [];
  process.on('beforeExit', () => Promise.all(all.map((c) => c.close())));
  await free[0].execute(`create database if not exists ${schema}`);
  return async (sql, options) => {
    const session = free.pop() ?? (await new Promise((r) => waiting.push(r)));
    try {
      const result = await session.execute(sql, { signal: options?.signal });
      return { columns: [], rows: result.rows ?? [], rowsAffected: null, elapsedMs: 0 };
    } finally {
      const next = waiting.shift();
      if (next) next(session);
      else free.push(session);
    }
  };
}

/** qdbt without a server: the real CLI path (load, select, compile, materializations, scheduler, output). */
async function qdbtFake(dir) {
  const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
  const { runNodes } = await import(dist('runner/runNodes.js'));
  const { createReporter } = await import(dist('reporters/reporter.js'));
  const { executorFor } = await import(dist('materialize/index.js'));
  const capabilities = {
    engine: 'hive',
    version: '4.0.1',
    supportsMerge: true,
    supportsAcid: true,
    supportsSkipHeaderLine: true,
    supportsHiveJsonSerde: true,
    supportsRenameTable: true,
    supportsAnalyze: true,
    supportsColumnComments: true,
    canWriteTransactional: true,
    supportsStoredAs: true,
  };
  const execute = fake
    ? () =>
        new Promise((r) =>
          setTimeout(() => r({ columns: [], rows: [], rowsAffected: null, elapsedMs: latencyMs }), latencyMs),
        )
    : await connectionPool();
  const adapter = {
    capabilities,
    execute,
    listRelations: async () => new Map(),
    describeRelation: async () => null,
    invalidate: () => {},
    createSchemaIfMissing: async () => {},
    cancelAll: async () => {},
    close: async () => {},
  };
  const reporter = createReporter({ format: 'json', color: false, quiet: false, debug: true });
  const outcome = await runNodes(
    {
      which: 'run',
      global: { projectDir: dir, logFormat: 'json', color: false, quiet: false, debug: true, threads },
      fullRefresh: false,
      failFast: false,
    },
    { reporter, deps: { createAdapter: async () => adapter, executorFor } },
  );
  process.exitCode = outcome.exitCode;
}

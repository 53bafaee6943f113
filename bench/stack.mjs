// npm run bench:stack — figures of the local stack (runs after `npm run build`, uses dist/).
//
// Runs a second, private stack under bench/.work/stack on shifted ports (+1000 by default, so the
// project's own stack, if running, is left alone; QDBT_BENCH_PORT_OFFSET changes it), and prints
// per server: cold start (empty data: formatting and metastore schema included, jars cached),
// warm restart (data kept), resident memory after start; then the round trip of SELECT 1 on each
// engine (median of 20). Everything it starts is stopped at the end, and its data deleted.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveLocalSettings, DEFAULT_PORTS, serversFor } from '../dist/local/settings.js';
import { layoutOf, POM_OF } from '../dist/local/layout.js';
import { ensureMetastoreScripts, resolveClasspath } from '../dist/local/maven.js';
import { up, down } from '../dist/local/stack.js';
import { HiveConnection } from '../dist/adapters/hive/connection.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workDir = path.join(root, 'bench', '.work', 'stack');
const offset = Number(process.env.QDBT_BENCH_PORT_OFFSET ?? 1000);
const ports = Object.entries(DEFAULT_PORTS).map(([name, port]) => `${name}=${port + offset}`);
const settings = resolveLocalSettings(workDir, {}, { engine: 'both', port: ports });
const layout = layoutOf(settings);
const log = (text) => process.stderr.write(`${text}\n`);
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes) => (bytes == null ? '-' : `${Math.round(bytes / 1048576)} MiB`);

async function selectOneMedian(port) {
  const connection = await HiveConnection.open({ host: '127.0.0.1', port, auth: 'NONE' });
  try {
    for (let i = 0; i < 5; i++) await connection.execute('SELECT 1'); // warm-up
    const times = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await connection.execute('SELECT 1');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: (times[9] + times[10]) / 2, min: times[0], max: times[19] };
  } finally {
    await connection.close();
  }
}

async function main() {
  log(`bench: private stack in ${workDir}, ports +${offset}`);
  await down(settings);
  rmSync(path.join(layout.home, 'data'), { recursive: true, force: true });
  rmSync(path.join(layout.home, 'logs'), { recursive: true, force: true });
  // Jars cached: resolve (no download once ~/.m2 holds them) before any timing.
  for (const dir of new Set(serversFor('both').map((server) => POM_OF[server])))
    await resolveClasspath(layout, dir);
  await ensureMetastoreScripts(layout);

  log('bench: cold start (empty data) ...');
  const cold = await up(settings, (e) => log(`  ${e.message}`));
  const hiveRtt = await selectOneMedian(settings.ports.hive);
  const sparkRtt = await selectOneMedian(settings.ports.spark);
  log('bench: down ...');
  const t0 = performance.now();
  await down(settings);
  const downMs = performance.now() - t0;
  log('bench: warm restart (data kept) ...');
  const warm = await up(settings, (e) => log(`  ${e.message}`));

  const rows = cold.servers.map((c) => {
    const w = warm.servers.find((x) => x.server === c.server);
    return `| ${c.server} | ${s(c.prepareMs + c.readyMs)} (${s(c.prepareMs)} one-time) | ${s(w.readyMs)} | ${mib(c.rssBytes)} | ${mib(w.rssBytes)} |`;
  });
  const sum = (list, key) => list.reduce((n, x) => n + (x[key] ?? 0), 0);
  const hiveOnly = (list) => list.filter((x) => x.server !== 'spark');
  const out = [
    '',
    `Local stack, ${new Date().toISOString()} (2 cores: figures vary about 2x with load)`,
    '',
    '| server | cold start (jars cached) | warm restart | RSS after cold start | RSS after warm start |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    `| **stack, default engine (hive)** | ${s(sum(hiveOnly(cold.servers), 'prepareMs') + sum(hiveOnly(cold.servers), 'readyMs'))} | ${s(sum(hiveOnly(warm.servers), 'readyMs'))} | ${mib(sum(hiveOnly(cold.servers), 'rssBytes'))} | ${mib(sum(hiveOnly(warm.servers), 'rssBytes'))} |`,
    `| **stack, both engines** | ${s(cold.totalMs)} | ${s(warm.totalMs)} | ${mib(sum(cold.servers, 'rssBytes'))} | ${mib(sum(warm.servers, 'rssBytes'))} |`,
    '',
    `down (all five): ${s(downMs)}`,
    `SELECT 1 round trip, median of 20: Hive ${hiveRtt.median.toFixed(0)} ms (min ${hiveRtt.min.toFixed(0)}, max ${hiveRtt.max.toFixed(0)}), Spark ${sparkRtt.median.toFixed(0)} ms (min ${sparkRtt.min.toFixed(0)}, max ${sparkRtt.max.toFixed(0)})`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

try {
  await main();
} finally {
  await down(settings).catch(() => undefined);
  rmSync(path.join(layout.home, 'data'), { recursive: true, force: true });
}

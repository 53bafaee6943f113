#!/usr/bin/env node
// Batch landing throughput: `qdbt ingest batch` (checks every row, lands through WebHDFS with a
// temporary name + rename, writes the ledger) against a baseline that PUTs the same bytes through
// WebHDFS with curl (two-step CREATE), with the same number of files in flight.
// Needs the local stack's HDFS (`qdbt local up`) and a build (`npm run bench:ingest` builds first).
// Figures are medians over rounds (the machine is shared: single runs are noisy); each round measures
// curl and qdbt on files in declared order (which goes first alternates between rounds), then qdbt
// on drifted files. After each, the files are deleted and the DataNode given time to delete its
// blocks (it does so a heartbeat later), so no measurement pays for the previous one's clean-up.
// Env: BENCH_INGEST_FILES (default 8), BENCH_INGEST_MB (per file, default 16), BENCH_INGEST_PARALLEL (4),
// BENCH_INGEST_ROUNDS (5), BENCH_INGEST_SETTLE_MS (pause after each delete, default 4000),
// BENCH_INGEST_STREAM=0 to leave out the stream benchmark,
// QDBT_WEBHDFS_URL (default http://127.0.0.1:9870).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
const webhdfs = process.env.QDBT_WEBHDFS_URL ?? 'http://127.0.0.1:9870';
const files = Number(process.env.BENCH_INGEST_FILES ?? 8);
const mbPerFile = Number(process.env.BENCH_INGEST_MB ?? 16);
const parallel = Number(process.env.BENCH_INGEST_PARALLEL ?? 4);
const roundsWanted = Number(process.env.BENCH_INGEST_ROUNDS ?? 5);
const settleMs = Number(process.env.BENCH_INGEST_SETTLE_MS ?? 4000);
const settle = () => sleep(settleMs);
const lake = `/qdbt-bench/ingest-${process.pid}`;

const HEADER =
  'transaction_id,transaction_date,customer_id,customer_fname,customer_lname,customer_email,sales_agent_id,branch_id,product_id,product_name,product_category,offer_1,offer_2,offer_3,offer_4,offer_5,units,unit_price,is_online,payment_method,shipping_address';
const DRIFTED =
  'transaction_date,transaction_id,customer_id,customer_fname,cusomter_lname,cusomter_email,sales_agent_id,branch_id,product_id,product_name,product_category,offer_1,offer_2,offer_3,offer_4,offer_5,units,unit_price,is_online,payment_method,shipping_address';
const NAMES = ['Alexander', 'Sophia', 'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Ethan'];
const PRODUCTS = [
  ['Coffee Maker', 'Appliances', '79.99'],
  ['Smartphone', 'Electronics', '699.99'],
  ['Blender', 'Appliances', '49.50'],
  ['Laptop', 'Electronics', '1199.00'],
];

/** A Q Company transactions file of about `mb` MB, dirt included (loose dates, junk emails, quoted addresses). */
async function generate(path, mb, seed, drifted) {
  const out = createWriteStream(path);
  out.write(`${drifted ? DRIFTED : HEADER}\n`);
  let bytes = 0;
  let i = 0;
  const lines = [];
  while (bytes < mb * 1024 * 1024) {
    const n = NAMES[(i + seed) % NAMES.length];
    const [product, category, price] = PRODUCTS[i % PRODUCTS.length];
    const date = `2024-${(i % 12) + 1}-${(i % 28) + 1}`;
    const id = `trx-${seed}${String(i).padStart(9, '0')}`;
    const email = `${n.toLowerCase()}.${i}@gmail.com${i % 7 === 0 ? '@#' : ''}`;
    const address = i % 3 === 0 ? `"${i} Main St, Springfield, IL 62704"` : '';
    const fields = drifted
      ? [date, id, 10000 + (i % 90000), n, 'Brown', email]
      : [id, date, 10000 + (i % 90000), n, 'Brown', email];
    const line = `${fields.join(',')},${(i % 5) + 1},${(i % 9) + 1},${i % 40},${product},${category},,${i % 4 === 0 ? 'True' : ''},,,,${(i % 10) + 1},${price},${i % 2 ? 'yes' : 'no'},Credit Card,${address}\n`;
    lines.push(line);
    bytes += line.length;
    i++;
    if (lines.length === 5000) {
      if (!out.write(lines.join(''))) await new Promise((r) => out.once('drain', r));
      lines.length = 0;
    }
  }
  out.end(lines.join(''));
  await new Promise((r) => out.on('finish', r));
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} ${code}: ${stderr}`)),
    );
  });
}

async function curlPut(local, hdfsPath) {
  const first = await run('curl', [
    '-s',
    '-i',
    '-X',
    'PUT',
    `${webhdfs}/webhdfs/v1${hdfsPath}?op=CREATE&overwrite=true`,
  ]);
  const location = /^location:\s*(\S+)/im.exec(first)?.[1];
  if (!location) throw new Error(`no redirect from the NameNode: ${first.slice(0, 300)}`);
  await run('curl', ['-s', '-f', '-X', 'PUT', '-T', local, location]);
}

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function main() {
  if (!existsSync(join(root, 'dist', 'ingest', 'batch', 'run.js')))
    throw new Error('run `npm run build` first');
  const { WebHdfsClient } = await import(dist('ingest/hdfs/webhdfs.js'));
  const { ingestBatchOnce } = await import(dist('ingest/batch/run.js'));
  const { landingDeclarations, findDeclaration } = await import(dist('ingest/landing/declarations.js'));
  const { loadProject } = await import(dist('project/loadProject.js'));
  const client = new WebHdfsClient({ url: webhdfs });
  try {
    await client.status('/');
  } catch (error) {
    throw new Error(
      `WebHDFS at ${webhdfs} does not answer (start the stack: qdbt local up): ${error.message}`,
    );
  }
  const work = join(tmpdir(), `qdbt-bench-ingest-${process.pid}`);
  const inDir = join(work, 'in');
  const driftDir = join(work, 'drift');
  mkdirSync(inDir, { recursive: true });
  mkdirSync(driftDir, { recursive: true });
  const project = loadProject({ projectDir: root });
  const declaration = findDeclaration(
    landingDeclarations(project.parsed.manifest, { lakeRoot: lake }),
    'raw.sales_transactions',
  );
  // Landing only: registration (a few Hive statements per run) is left out of the figure.
  const adapter = async () => ({
    capabilities: { supportsSkipHeaderLine: true, supportsHiveJsonSerde: true },
    execute: async () => ({ rows: [] }),
    createSchemaIfMissing: async () => {},
  });
  try {
    const t0 = performance.now();
    const paths = [];
    for (let f = 0; f < files; f++) {
      const p = join(inDir, `sales_transactions_SS_raw_${f}.csv`);
      await generate(p, mbPerFile, f, false);
      paths.push(p);
    }
    const drifted = [];
    for (let f = 0; f < Math.max(2, files / 4); f++) {
      const p = join(driftDir, `sales_transactions_SS_raw_d${f}.csv`);
      await generate(p, mbPerFile, 100 + f, true);
      drifted.push(p);
    }
    const totalBytes = paths.reduce((n, p) => n + statSync(p).size, 0);
    const driftBytes = drifted.reduce((n, p) => n + statSync(p).size, 0);
    const mb = totalBytes / 1e6;
    console.log(
      `bench:ingest: ${files} files x ${mbPerFile} MiB (${mb.toFixed(0)} MB) of Q Company transactions, ${parallel} in flight, generated in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
    );

    const rounds = [];
    // CPU of this process (all its threads) per MB landed: what the checks and the upload cost.
    const land = async (from, expected) => {
      const cpu = process.cpuUsage();
      const t = performance.now();
      const summary = await ingestBatchOnce({
        client,
        adapter,
        declarations: [declaration],
        from,
        settleMs: 0,
        parallel,
      });
      const seconds = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      if (summary.landed !== expected || summary.failed)
        throw new Error(`landed ${summary.landed} of ${expected}, ${summary.failed} failed`);
      await client.delete(lake, { recursive: true }); // the next round lands again
      await settle();
      return { seconds, rows: summary.rowsLanded, cpuMs };
    };
    const putWithCurl = async (round) => {
      await client.mkdirs(`${lake}/curl`);
      const c0 = performance.now();
      await pool(paths, parallel, (p) =>
        curlPut(p, `${lake}/curl/${round}-${p.slice(p.lastIndexOf('/') + 1)}`),
      );
      const seconds = (performance.now() - c0) / 1000;
      await client.delete(`${lake}/curl`, { recursive: true });
      await settle();
      return seconds;
    };
    for (let round = 0; round < roundsWanted; round++) {
      let curlS;
      let declared;
      if (round % 2 === 0) {
        curlS = await putWithCurl(round);
        declared = await land(inDir, files);
      } else {
        declared = await land(inDir, files);
        curlS = await putWithCurl(round);
      }
      const drift = await land(driftDir, drifted.length);
      rounds.push({
        curl: mb / curlS,
        qdbt: mb / declared.seconds,
        drift: driftBytes / 1e6 / drift.seconds,
        rows: declared.rows,
        driftRows: drift.rows,
        cpu: declared.cpuMs / mb,
        driftCpu: drift.cpuMs / (driftBytes / 1e6),
      });
      console.log(
        `  round ${round + 1}: curl ${(mb / curlS).toFixed(1)}, declared order ${(mb / declared.seconds).toFixed(1)} (${((curlS / declared.seconds) * 100).toFixed(0)}%), drifted ${(driftBytes / 1e6 / drift.seconds).toFixed(1)} MB/s; qdbt CPU ${(declared.cpuMs / mb).toFixed(2)} / ${(drift.cpuMs / (driftBytes / 1e6)).toFixed(2)} ms per MB`,
      );
    }
    const median = (k) => {
      const v = rounds.map((r) => r[k]).sort((x, y) => x - y);
      return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    const curl = median('curl');
    const qdbt = median('qdbt');
    const drift = median('drift');
    console.log(`medians of ${rounds.length} rounds:`);
    console.log(`  curl two-step PUT (baseline):        ${curl.toFixed(1)} MB/s`);
    console.log(
      `  qdbt ingest batch (declared order):  ${qdbt.toFixed(1)} MB/s  (${rounds[0].rows} rows checked, landed unchanged)  = ${((qdbt / curl) * 100).toFixed(0)}% of curl (goal >= 80%), CPU ${median('cpu').toFixed(2)} ms/MB`,
    );
    console.log(
      `  qdbt ingest batch (drifted header):  ${drift.toFixed(1)} MB/s  (${rounds[0].driftRows} rows reordered + original kept for audit: twice the bytes written)  = ${((drift / curl) * 100).toFixed(0)}% of curl, CPU ${median('driftCpu').toFixed(2)} ms/MB`,
    );
  } finally {
    await client.delete(lake, { recursive: true }).catch(() => undefined);
    client.close();
    rmSync(work, { recursive: true, force: true });
  }

  const stream = join(root, 'bench', 'ingestStream.mjs');
  if (process.env.BENCH_INGEST_STREAM !== '0' && existsSync(stream)) {
    const { benchStream } = await import(pathToFileURL(stream).href);
    if (typeof benchStream === 'function') await benchStream();
  }
}

main().catch((error) => {
  console.error(`bench:ingest failed: ${error.message}`);
  process.exitCode = 1;
});

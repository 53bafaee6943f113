// Fault tests through the real CLI: a model with a SQL error, Ctrl-C during a long query, and (on
// genuine Hive, last) HiveServer2 stopped and restarted in the middle of a build, then `qdbt retry`.
// The restart uses the project's own stack code (src/local/) and always brings Hive back.
// Schemas: qdbt_it_fault_<engine>.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, type Adapter } from '../../src/adapters/index.js';
import { layoutOf } from '../../src/local/layout.js';
import { stopProcess } from '../../src/local/processes.js';
import { loadLocalSettings } from '../../src/local/settings.js';
import { up as stackUp } from '../../src/local/stack.js';
import { writeFixture } from '../helpers/fixtureProject.js';

import {
  repoRoot,
  bin,
  ENGINES,
  up,
  target,
  profiles,
  type CliResult,
  qdbt,
  plain,
  byCells,
  statuses,
} from '../helpers/engines.js';

/** Starts the CLI and resolves when a stderr line matches `when` (with the child still running). */
function startQdbt(
  dir: string,
  args: string[],
): {
  child: ChildProcess;
  done: Promise<CliResult>;
  seen: (when: RegExp, timeoutMs: number) => Promise<void>;
} {
  const started = Date.now();
  const child = spawn(process.execPath, [bin, ...args, '--project-dir', dir], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ when: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      if (!w.when.test(stderr)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
  const seen = (when: RegExp, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (when.test(stderr)) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`not seen within ${timeoutMs} ms: ${when}\n${stderr}`)),
        timeoutMs,
      );
      waiters.push({ when, resolve: () => (clearTimeout(timer), resolve()) });
      void done.then(() => reject(new Error(`qdbt exited before ${when}\n${stderr}`)));
    });
  return { child, done, seen };
}

/** A one-row query that takes `seconds` on the server (Thread.sleep through reflect, not folded: non-deterministic). */
function slow(seconds: number): string {
  return `reflect('java.lang.Thread', 'sleep', cast(${seconds * 1000} as bigint))`;
}

describe.each(ENGINES)('faults on $name', (engine) => {
  const hive = engine.name === 'hive';
  const schema = `qdbt_it_fault_${engine.name}`;
  let adapter: Adapter;
  const fixtures: Array<{ cleanup: () => void }> = [];

  async function rows(sql: string): Promise<unknown[][]> {
    const table = /\bfrom (\w+\.\w+)/i.exec(sql)?.[1];
    if (!hive && table) await adapter.execute(`refresh table ${table}`);
    const result = await adapter.execute(sql);
    return result.rows.map((r) => r.map(plain)).sort(byCells);
  }
  async function tables(): Promise<string[]> {
    return (await rows(`show tables in ${schema}`)).map((r) => String(r[r.length === 1 ? 0 : 1])).sort();
  }
  function project(files: Record<string, string>): string {
    const fixture = writeFixture({ 'profiles.yml': profiles(engine, schema), ...files });
    fixtures.push(fixture);
    return fixture.dir;
  }

  beforeAll(async () => {
    if (!up[engine.name]) return;
    adapter = await createAdapter(target(engine, schema), { threads: 1 });
    await adapter.execute(`drop database if exists ${schema} cascade`);
  });

  afterAll(async () => {
    await adapter?.execute(`drop database if exists ${schema} cascade`).catch(() => undefined);
    await adapter?.close();
    for (const f of fixtures) f.cleanup();
  });

  it.skipIf(!up[engine.name])(
    "a model with a SQL error: the server's message, the file, the other branches built",
    async () => {
      const dir = project({
        'models/good_a.sql': `{{ config(materialized='table') }}select 1 as id`,
        'models/bad.sql': `{{ config(materialized='table') }}select no_such_column from {{ ref('good_a') }}`,
        'models/bad_child.sql': `{{ config(materialized='view') }}select * from {{ ref('bad') }}`,
        'models/good_b.sql': `{{ config(materialized='view') }}select id + 1 as id from {{ ref('good_a') }}`,
      });
      const result = await qdbt(dir, ['run']);
      expect(result.code, result.stderr).toBe(1);
      const s = statuses(dir);
      expect(s).toMatchObject({
        good_a: { status: 'success' },
        good_b: { status: 'success' },
        bad: { status: 'error' },
        bad_child: { status: 'skipped' },
      });
      expect(s['bad']!.message).toMatch(
        hive ? /Invalid table alias or column reference 'no_such_column'/ : /no_such_column/,
      );
      expect(result.stderr).toContain('models/bad.sql');
      expect(result.stderr).toMatch(
        hive ? /Invalid table alias or column reference/ : /UNRESOLVED_COLUMN|no_such_column/,
      );
      expect(await rows(`select id from ${schema}.good_b`)).toEqual([[2]]);
      expect((await tables()).filter((t) => t.startsWith('bad'))).toEqual([]);
    },
  );

  it.skipIf(!up[engine.name])('Ctrl-C during a long query cancels the operation on the server', async () => {
    const dir = project({
      'models/long_running.sql': `{{ config(materialized='table') }}select 1 as id, ${slow(12)} as slept`,
    });
    const run = startQdbt(dir, ['run', '--debug']);
    // Wait until the INSERT of the build is running on the server, then interrupt.
    await run.seen(/INSERT OVERWRITE TABLE `?\w+`?\.`?long_running__qdbt_tmp/, 120_000);
    await new Promise((r) => setTimeout(r, 2500));
    const interrupted = Date.now();
    run.child.kill('SIGINT');
    const result = await run.done;
    const exitMs = Date.now() - interrupted;
    console.log(`[${engine.name}] Ctrl-C: exit ${result.code} after ${exitMs} ms`);
    expect(result.code).not.toBe(0);
    expect(exitMs).toBeLessThan(20_000);
    expect(result.stderr).toMatch(/cancel/i);
    // Had the server kept running the INSERT, the tmp table would hold the row once the sleep ends.
    await new Promise((r) => setTimeout(r, Math.max(0, 16_000 - (Date.now() - interrupted))));
    const left = await tables();
    expect(left).not.toContain('long_running');
    if (left.includes('long_running__qdbt_tmp'))
      expect(await rows(`select id from ${schema}.long_running__qdbt_tmp`)).toEqual([]);
    // A cancelled node skips its cleanup (the next run drops these first): tidy up for the next test.
    await adapter.execute(`drop view if exists ${schema}.long_running__qdbt_src`);
    await adapter.execute(`drop table if exists ${schema}.long_running__qdbt_tmp`);
  });

  // Last: it stops the shared HiveServer2 for a few seconds (other tests may be using it).
  it.skipIf(!up[engine.name] || !hive)(
    'HiveServer2 stopped and restarted in the middle of a build: retries or a clear failure, then qdbt retry completes it',
    async () => {
      const dir = project({
        'models/step1.sql': `{{ config(materialized='table') }}select 1 as id union all select 2`,
        'models/step2.sql': `{{ config(materialized='table') }}select id, ${slow(4)} as slept from {{ ref('step1') }}`,
        'models/step3.sql': `{{ config(materialized='table') }}select id * 10 as id from {{ ref('step2') }}`,
        'models/side.sql': `{{ config(materialized='table') }}select 'side' as name`,
      });
      const settings = loadLocalSettings(repoRoot, { engine: 'hive' });
      const layout = layoutOf(settings);
      const run = startQdbt(dir, ['build', '--debug', '--threads', '1']);
      try {
        await run.seen(/INSERT OVERWRITE TABLE `?\w+`?\.`?step2__qdbt_tmp/, 180_000);
        const stopped = await stopProcess(layout, 'hive');
        expect(stopped.stopped).toBe(true);
      } finally {
        const t0 = Date.now();
        await stackUp(settings);
        console.log(`[hive] HiveServer2 back after ${Date.now() - t0} ms`);
      }
      const first = await run.done;
      console.log(`[hive] build across the restart: exit ${first.code} in ${first.ms} ms`);
      await adapter.close().catch(() => undefined);
      adapter = await createAdapter(target(engine, schema), { threads: 1 });

      // Either finished through retries, or failed clearly; never a half-built table.
      if (first.code !== 0) {
        const s = statuses(dir);
        const failed = Object.values(s).filter((r) => r.status === 'error');
        expect(failed.length).toBeGreaterThan(0);
        for (const f of failed) expect(f.message ?? '').not.toBe('');
        console.log(`[hive] failed across the restart: ${failed.map((f) => f.message).join(' | ')}`);
      }
      const present = await tables();
      if (present.includes('step2')) expect(await rows(`select id from ${schema}.step2`)).toEqual([[1], [2]]);
      if (present.includes('step3'))
        expect(await rows(`select id from ${schema}.step3`)).toEqual([[10], [20]]);

      if (first.code !== 0) {
        const retried = await qdbt(dir, ['retry']);
        console.log(`[hive] retry: exit ${retried.code} in ${retried.ms} ms`);
        expect(retried.code, retried.stderr).toBe(0);
      }
      expect(await rows(`select id from ${schema}.step1`)).toEqual([[1], [2]]);
      expect(await rows(`select id from ${schema}.step2`)).toEqual([[1], [2]]);
      expect(await rows(`select id from ${schema}.step3`)).toEqual([[10], [20]]);
      expect(await rows(`select name from ${schema}.side`)).toEqual([['side']]);
      expect((await tables()).filter((t) => t.includes('__qdbt_'))).toEqual([]);
    },
  );
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import type { GlobalOptions } from '../../../src/cli/globalOptions.js';
import { runNodes } from '../../../src/runner/runNodes.js';
import { retryLastRun } from '../../../src/runner/retry.js';
import { writeFixture } from '../../helpers/fixtureProject.js';
import { capture, fakeAdapter, fakeDeps, FakeSignals } from './fakes.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../schemas/run_results.v1.json'), 'utf8'),
);
const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);

function fixture(files: Record<string, string>) {
  const f = writeFixture(files);
  cleanups.push(f.cleanup);
  return f.dir;
}

function globals(dir: string, extra: Partial<GlobalOptions> = {}): GlobalOptions {
  return {
    projectDir: dir,
    logFormat: 'text',
    color: false,
    quiet: false,
    debug: false,
    threads: 1,
    ...extra,
  };
}

const PROJECT_FILES = {
  'seeds/raw_branch.csv': 'id,name\n1,a\n2,b\n3,c\n',
  'models/stg_branch.sql': `select * from {{ ref('raw_branch') }}`,
  'models/dim_branch.sql': `{{ config(materialized='table') }}select id from {{ ref('stg_branch') }}`,
  'models/fct_sales.sql': `{{ config(materialized='table') }}select b.id from {{ ref('dim_branch') }} b`,
  'models/other.sql': `select 1 as x`,
  'models/schema.yml': `version: 2\nmodels:\n  - name: dim_branch\n    columns:\n      - name: id\n        data_tests: [not_null]\n`,
};

function readRunResults(dir: string) {
  return JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8'));
}

describe('runNodes (build, run, retry) with a fake adapter', () => {
  it('builds seeds, models and tests in graph order, prints dbt lines, writes a valid run_results.json and a log', async () => {
    const dir = fixture(PROJECT_FILES);
    const adapter = fakeAdapter((sql) =>
      sql.includes('from `analytics`.`stg_branch`') ? { rowsAffected: 3 } : {},
    );
    const executed: string[] = [];
    const { reporter, err } = capture();
    const outcome = await runNodes(
      { which: 'build', global: globals(dir), fullRefresh: false, failFast: false },
      { reporter, deps: fakeDeps(adapter, { executed }) },
    );
    expect(outcome.exitCode).toBe(0);
    expect(executed.map((id) => id.split('.').slice(0, 3).join('.'))).toEqual([
      'model.fixture.other',
      'seed.fixture.raw_branch',
      'model.fixture.stg_branch',
      'model.fixture.dim_branch',
      'test.fixture.not_null_dim_branch_id',
      'model.fixture.fct_sales',
    ]);
    expect(adapter.schemasCreated).toEqual(['analytics']);
    expect(adapter.closed).toBe(true);
    const text = err().replace(/^\d\d:\d\d:\d\d {2}/gm, '');
    expect(text).toContain(
      `4 of 6 START sql table model analytics.dim_branch ${'.'.repeat(80 - '4 of 6 START sql table model analytics.dim_branch '.length)} [RUN]`,
    );
    expect(text).toMatch(
      /^4 of 6 OK created sql table model analytics\.dim_branch \.+ \[OK 3 rows in \d+\.\d\ds\]$/m,
    );
    expect(text).toMatch(
      /^2 of 6 OK loaded seed file analytics\.raw_branch \.+ \[OK 3 rows in \d+\.\d\ds\]$/m,
    );
    expect(text).toMatch(/^5 of 6 PASS not_null_dim_branch_id \.+ \[PASS in \d+\.\d\ds\]$/m);
    expect(text).toContain('Completed successfully');
    expect(text).toContain('Done. PASS=6 WARN=0 ERROR=0 SKIP=0 TOTAL=6');
    expect(text).not.toContain('progress of'); // debug lines only in the log file

    const runResults = readRunResults(dir);
    expect(validate(runResults), JSON.stringify(validate.errors)).toBe(true);
    expect(runResults.args).toMatchObject({ which: 'build', threads: 1, full_refresh: false });
    const dim = runResults.results.find(
      (r: { unique_id: string }) => r.unique_id === 'model.fixture.dim_branch',
    );
    expect(dim).toMatchObject({
      status: 'success',
      compiled_code: 'select id from `analytics`.`stg_branch`',
      compiled_path: 'target/compiled/fixture/models/dim_branch.sql',
      relation_name: '`analytics`.`dim_branch`',
      adapter_response: { rows_affected: 3 },
      thread_id: 'Thread-1',
    });
    expect(dim.timing[0].name).toBe('execute');

    const log = readFileSync(join(dir, 'logs/qdbt.log'), 'utf8');
    expect(log).toContain('progress of dim_branch: 100%');
    expect(log).toContain('Done. PASS=6');
  });

  it('a failing model skips its descendants only, exits 1, and names the file and compiled SQL', async () => {
    const dir = fixture({
      ...PROJECT_FILES,
      'models/stg_branch.sql': `select boom from {{ ref('raw_branch') }}`,
    });
    const adapter = fakeAdapter((sql) => {
      if (sql.includes('boom'))
        throw new Error('SemanticException [Error 10004]: Invalid table alias or column reference boom');
      return {};
    });
    const { reporter, err } = capture();
    const outcome = await runNodes(
      { which: 'run', global: globals(dir, { threads: 4 }), fullRefresh: false, failFast: false },
      { reporter, deps: fakeDeps(adapter) },
    );
    expect(outcome.exitCode).toBe(1);
    const status = Object.fromEntries(outcome.results.map((r) => [r.uniqueId, r.status]));
    expect(status).toEqual({
      'model.fixture.other': 'success',
      'model.fixture.stg_branch': 'error',
      'model.fixture.dim_branch': 'skipped',
      'model.fixture.fct_sales': 'skipped',
    });
    const text = err();
    expect(text).toMatch(/ERROR creating sql view model analytics\.stg_branch \.+ \[ERROR in \d+\.\d\ds\]/);
    expect(text).toMatch(/SKIP relation analytics\.dim_branch \.+ \[SKIP\]/);
    expect(text).toContain('Completed with 1 error and 0 warnings:');
    expect(text).toContain('Failure in model stg_branch (models/stg_branch.sql)');
    expect(text).toContain('Invalid table alias or column reference boom');
    expect(text).toContain('compiled code at target/compiled/fixture/models/stg_branch.sql');
    expect(text).toContain('Done. PASS=1 WARN=0 ERROR=1 SKIP=2 TOTAL=4');
  });

  it('in build, a failed test skips what is built on its model', async () => {
    const dir = fixture(PROJECT_FILES);
    const adapter = fakeAdapter();
    const executed: string[] = [];
    const { reporter } = capture();
    const outcome = await runNodes(
      { which: 'build', global: globals(dir), fullRefresh: false, failFast: false },
      { reporter, deps: fakeDeps(adapter, { executed, failingTests: new Set(['not_null_dim_branch_id']) }) },
    );
    expect(outcome.exitCode).toBe(1);
    const byName = Object.fromEntries(outcome.results.map((r) => [r.uniqueId.split('.')[2], r.status]));
    expect(byName).toMatchObject({
      dim_branch: 'success',
      not_null_dim_branch_id: 'fail',
      fct_sales: 'skipped',
      other: 'success',
    });
    expect(executed.some((id) => id.endsWith('fct_sales'))).toBe(false);
  });

  it('retry runs exactly the nodes that errored, failed or were skipped', async () => {
    const dir = fixture(PROJECT_FILES);
    const { reporter } = capture();
    let broken = true;
    const adapter = fakeAdapter((sql) => {
      if (broken && sql.includes('`stg_branch`') && sql.includes('select id')) throw new Error('transient');
      return {};
    });
    const first = await runNodes(
      { which: 'run', global: globals(dir), fullRefresh: true, failFast: false },
      { reporter, deps: fakeDeps(adapter) },
    );
    expect(
      first.results.filter((r) => r.status !== 'success').map((r) => `${r.uniqueId}:${r.status}`),
    ).toEqual(['model.fixture.dim_branch:error', 'model.fixture.fct_sales:skipped']);
    broken = false;
    const executed: string[] = [];
    const retried = await retryLastRun(globals(dir), { reporter, deps: fakeDeps(adapter, { executed }) });
    expect(executed).toEqual(['model.fixture.dim_branch', 'model.fixture.fct_sales']);
    expect(retried.exitCode).toBe(0);
    expect(readRunResults(dir).args).toMatchObject({ which: 'run', full_refresh: true });
    const again = await retryLastRun(globals(dir), { reporter, deps: fakeDeps(adapter, { executed }) });
    expect(again.results).toEqual([]);
    expect(executed).toHaveLength(2);
  });

  it('SIGINT cancels: adapter.cancelAll, running nodes aborted, the rest skipped, exit 130', async () => {
    const dir = fixture(PROJECT_FILES);
    const signals = new FakeSignals();
    const aborted: string[] = [];
    const adapter = fakeAdapter(
      (sql, signal) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => resolve({}), 5000);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            aborted.push(sql);
            reject(new Error('cancelled on the server'));
          });
          if (adapter.statements.length === 2) setTimeout(() => signals.emit('SIGINT'), 20);
        }),
    );
    const { reporter, err } = capture();
    const outcome = await runNodes(
      { which: 'run', global: globals(dir, { threads: 2 }), fullRefresh: false, failFast: false },
      { reporter, deps: fakeDeps(adapter), signals },
    );
    expect(outcome.exitCode).toBe(130);
    expect(outcome.cancelledBy).toBe('SIGINT');
    expect(adapter.cancelAllCalls).toBe(1);
    expect(aborted).toHaveLength(2);
    const status = outcome.results.map((r) => r.status).sort();
    expect(status).toEqual(['error', 'error', 'skipped', 'skipped']);
    expect(err()).toContain('Cancelled by SIGINT: 2 running nodes cancelled on the server, 2 not run.');
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(validate(readRunResults(dir))).toBe(true);
  });

  it('--log-format json prints the same events as JSON lines', async () => {
    const dir = fixture(PROJECT_FILES);
    const { reporter, out } = capture('json');
    await runNodes(
      { which: 'run', global: globals(dir, { select: ['other'] }), fullRefresh: false, failFast: false },
      { reporter, deps: fakeDeps(fakeAdapter()) },
    );
    const lines = out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const names = lines.map((l) => l.name);
    expect(names).toContain('node_started');
    expect(names).not.toContain('blank');
    const finished = lines.find((l) => l.name === 'node_finished');
    expect(finished.data).toMatchObject({
      unique_id: 'model.fixture.other',
      status: 'success',
      index: 1,
      total: 1,
    });
    expect(finished.msg).toMatch(/^1 of 1 OK created sql view model analytics\.other \.+ \[OK in/);
    expect(lines.at(-1)).toMatchObject({
      name: 'run_summary',
      msg: 'Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1',
      data: { pass: 1, total: 1 },
    });
  });

  it('runs on-run-start and on-run-end hooks around the nodes', async () => {
    const dir = fixture({
      ...PROJECT_FILES,
      'project.yml': `name: fixture\nversion: '1.0'\nprofile: fixture\non-run-start:\n  - "create table if not exists audit_{{ target.name }} (x int)"\non-run-end:\n  - "insert into audit_dev values (1); analyze table audit_dev compute statistics"\n`,
    });
    const adapter = fakeAdapter();
    const { reporter, err } = capture();
    const outcome = await runNodes(
      { which: 'run', global: globals(dir, { select: ['other'] }), fullRefresh: false, failFast: false },
      { reporter, deps: fakeDeps(adapter) },
    );
    expect(outcome.exitCode).toBe(0);
    expect(adapter.statements).toEqual([
      'create table if not exists audit_dev (x int)',
      'select 1 as x',
      'insert into audit_dev values (1)',
      'analyze table audit_dev compute statistics',
    ]);
    expect(err()).toMatch(/1 of 1 OK hook: fixture\.on-run-start\.0 \.+ \[OK in/);
  });

  it('exits 0 with a warning when nothing is selected', async () => {
    const dir = fixture(PROJECT_FILES);
    const { reporter, err } = capture();
    const outcome = await runNodes(
      { which: 'run', global: globals(dir, { select: ['tag:none'] }), fullRefresh: false, failFast: false },
      { reporter, deps: fakeDeps(fakeAdapter()) },
    );
    expect(outcome.exitCode).toBe(0);
    expect(err()).toContain('Nothing to do.');
    expect(existsSync(join(dir, 'target/run_results.json'))).toBe(true);
  });
});

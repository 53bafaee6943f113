// `qdbt build` against the real HiveServer2 (127.0.0.1:10000) on a small fixture project in the
// schema qdbt_it_runner: a seed, a view, a table, a passing test, a failing test that skips what
// is built on its model, then `qdbt retry`. Skipped until the adapter factory is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../helpers/fixtureProject.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(repoRoot, 'bin', 'qdbt.js');
const host = process.env.QDBT_IT_HOST ?? '127.0.0.1';
const port = Number(process.env.QDBT_IT_PORT ?? 10000);
const schema = 'qdbt_it_runner';

async function serverUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

const ready = existsSync(join(repoRoot, 'dist', 'adapters', 'index.js')) && (await serverUp());

const profiles = `fixture:\n  target: it\n  outputs:\n    it:\n      type: hive\n      host: ${host}\n      port: ${port}\n      schema: ${schema}\n      threads: 4\n`;

interface Connection {
  execute(sql: string): Promise<{ rows: unknown[][] }>;
  close(): Promise<void>;
}

describe.skipIf(!ready)('qdbt build against HiveServer2', () => {
  let connection: Connection;
  const fixture = writeFixture({
    'profiles.yml': profiles,
    'seeds/raw_branch.csv': 'id,name\n1,harbor\n2,mill\n3,quay\n',
    'models/stg_branch.sql': `select cast(id as int) as id, name from {{ ref('raw_branch') }}`,
    'models/dim_branch.sql': `{{ config(materialized='table') }}select id, upper(name) as name from {{ ref('stg_branch') }}`,
    'models/fct_visits.sql': `{{ config(materialized='table') }}select id, 1 as visits from {{ ref('dim_branch') }}`,
    'models/other.sql': `{{ config(materialized='table') }}select 42 as answer`,
    'models/schema.yml': [
      'version: 2',
      'models:',
      '  - name: dim_branch',
      '    columns:',
      '      - name: id',
      '        data_tests: [not_null]',
      '      - name: name',
      '        data_tests:',
      '          - accepted_values:',
      "              values: ['HARBOR', 'MILL']",
      '',
    ].join('\n'),
  });

  function qdbt(args: string[]) {
    const result = spawnSync(process.execPath, [bin, ...args, '--project-dir', fixture.dir], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  beforeAll(async () => {
    const { HiveConnection } = (await import(
      pathToFileURL(join(repoRoot, 'dist', 'adapters', 'hive', 'connection.js')).href
    )) as {
      HiveConnection: { open(o: object): Promise<Connection> };
    };
    connection = await HiveConnection.open({
      host,
      port,
      auth: 'NONE',
      user: process.env.USER ?? 'hive',
      database: 'default',
    });
    await connection.execute(`drop database if exists ${schema} cascade`);
  });

  afterAll(async () => {
    await connection?.execute(`drop database if exists ${schema} cascade`).catch(() => undefined);
    await connection?.close();
    fixture.cleanup();
  });

  it('builds in graph order; the failing test skips what is built on its model; exit 1', async () => {
    const result = qdbt(['build', '--threads', '4']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/OK loaded seed file qdbt_it_runner\.raw_branch \.+ \[OK/);
    expect(result.stderr).toMatch(/OK created sql table model qdbt_it_runner\.dim_branch \.+ \[OK/);
    expect(result.stderr).toMatch(/FAIL 1 accepted_values_dim_branch_name__HARBOR__MILL \.+ \[FAIL 1 in/);
    expect(result.stderr).toMatch(/SKIP relation qdbt_it_runner\.fct_visits \.+ \[SKIP\]/);
    expect(result.stderr).toContain('Got 1 result, configured to fail if != 0');
    expect(result.stderr).toContain('Done. PASS=5 WARN=0 ERROR=1 SKIP=1 TOTAL=7');

    const dim = await connection.execute(`select id, name from ${schema}.dim_branch order by id`);
    expect(dim.rows.map((r) => [Number(r[0]), r[1]])).toEqual([
      [1, 'HARBOR'],
      [2, 'MILL'],
      [3, 'QUAY'],
    ]);
    const other = await connection.execute(`select answer from ${schema}.other`);
    expect(other.rows.map((r) => Number(r[0]))).toEqual([42]);
    const tables = await connection.execute(`show tables in ${schema}`);
    expect(tables.rows.map((r) => r[0])).not.toContain('fct_visits');

    const runResults = JSON.parse(readFileSync(join(fixture.dir, 'target/run_results.json'), 'utf8'));
    const statuses = Object.fromEntries(
      runResults.results.map((r: { unique_id: string; status: string }) => [
        r.unique_id.split('.')[2],
        r.status,
      ]),
    );
    expect(statuses).toMatchObject({
      raw_branch: 'success',
      dim_branch: 'success',
      fct_visits: 'skipped',
      other: 'success',
    });
  });

  it('retry runs the failed test and the skipped model again, and only those', async () => {
    const result = qdbt(['retry']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Retrying 2 nodes');
    expect(result.stderr).toContain('Done. PASS=0 WARN=0 ERROR=1 SKIP=1 TOTAL=2');
  });
});

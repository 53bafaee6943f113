import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../../helpers/fixtureProject.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repoRoot, 'bin', 'qdbt.js');
const cleanups: Array<() => void> = [];

function qdbt(args: string[], cwd = repoRoot) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    // A command that never ends (a thread left running) fails here instead of hanging the suite.
    timeout: 25_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    throw new Error('run `npm run build` first (npm test does)');
});
afterAll(() => cleanups.forEach((c) => c()));

describe('the qdbt command', () => {
  const fixture = writeFixture({
    'models/staging/stg_a.sql': `{{ config(tags=['daily']) }}select 1 as id`,
    'models/marts/fct_a.sql': `{{ config(materialized='table') }}select * from {{ ref('stg_a') }}`,
    'models/marts/schema.yml': `version: 2\nmodels:\n  - name: fct_a\n    columns:\n      - name: id\n        data_tests: [not_null]\n`,
  });
  cleanups.push(fixture.cleanup);

  it('compiles into target/compiled with the models tree, and writes the manifest (exit 0)', () => {
    const result = qdbt(['compile', '--project-dir', fixture.dir]);
    expect(result.stderr).toContain('Compiled 3 nodes');
    expect(result.code).toBe(0);
    expect(readFileSync(join(fixture.dir, 'target/compiled/fixture/models/marts/fct_a.sql'), 'utf8')).toBe(
      'select * from `analytics`.`stg_a`',
    );
    const manifest = JSON.parse(readFileSync(join(fixture.dir, 'target/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.nodes).sort()).toEqual([
      'model.fixture.fct_a',
      'model.fixture.stg_a',
      expect.stringMatching(/^test\.fixture\.not_null_fct_a_id\.[0-9a-f]{10}$/),
    ]);
  });

  it('lists a selection as names, paths and JSON', () => {
    expect(
      qdbt([
        'ls',
        '--project-dir',
        fixture.dir,
        '-s',
        '+fct_a',
        '--resource-type',
        'model',
        '--output',
        'name',
      ]).stdout,
    ).toBe('fct_a\nstg_a\n');
    expect(qdbt(['ls', '--project-dir', fixture.dir, '-s', 'tag:daily', '--output', 'path']).stdout).toBe(
      'models/staging/stg_a.sql\n',
    );
    const json = qdbt([
      'ls',
      '--project-dir',
      fixture.dir,
      '-s',
      'fct_a',
      '--resource-type',
      'model',
      '--output',
      'json',
    ]).stdout;
    expect(JSON.parse(json)).toMatchObject({
      name: 'fct_a',
      resource_type: 'model',
      config: { materialized: 'table' },
    });
  });

  it('exits 2 with the file and line on a project error', () => {
    const broken = writeFixture({ 'models/m.sql': `select * from {{ ref('nope') }}` });
    cleanups.push(broken.cleanup);
    const result = qdbt(['compile', '--project-dir', broken.dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "models/m.sql:1: model 'm' depends on a node named 'nope' which was not found",
    );
  });

  it('exits 2 on a usage error', () => {
    const result = qdbt(['ls', '--project-dir', fixture.dir, '--output', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--output takes selector, name, path, json');
  });

  it('init makes a project that compiles', () => {
    const parent = writeFixture({});
    cleanups.push(parent.cleanup);
    expect(qdbt(['init', 'shop'], parent.dir).code).toBe(0);
    const result = qdbt(['compile', '--project-dir', join(parent.dir, 'shop')]);
    expect(result.code).toBe(0);
    expect(
      readFileSync(join(parent.dir, 'shop/target/compiled/shop/models/example/my_second_model.sql'), 'utf8'),
    ).toContain('`analytics`.`my_first_model`');
  });

  it('reuses the compile cache when nothing changed, and not after a file or a read env var changes', () => {
    const cached = writeFixture({ 'models/m.sql': `select '{{ env_var("QDBT_CACHE_PROBE", "x") }}' as v` });
    cleanups.push(cached.cleanup);
    const run = (env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [bin, 'compile', '--project-dir', cached.dir], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', ...env },
      });
    expect(run().stderr).toContain('Compiled 1 nodes');
    expect(run().stderr).toContain('Nothing changed: 1 compiled nodes');
    const changedEnv = run({ QDBT_CACHE_PROBE: 'y' });
    expect(changedEnv.stderr).toContain('Compiled 1 nodes (1 files changed)');
    expect(readFileSync(join(cached.dir, 'target/compiled/fixture/models/m.sql'), 'utf8')).toBe(
      "select 'y' as v",
    );
    writeFileSync(join(cached.dir, 'models/m.sql'), 'select 2 as v');
    expect(run({ QDBT_CACHE_PROBE: 'y' }).stderr).toContain('Compiled 1 nodes (1 files changed)');
  });

  it('writes artifacts under --target-path (or QDBT_TARGET_PATH) instead of target/', () => {
    const result = qdbt(['compile', '--project-dir', fixture.dir, '--target-path', 'build_out']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('manifest at build_out/manifest.json');
    expect(existsSync(join(fixture.dir, 'build_out/compiled/fixture/models/marts/fct_a.sql'))).toBe(true);
    const viaEnv = spawnSync(process.execPath, [bin, 'compile', '--project-dir', fixture.dir], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', QDBT_TARGET_PATH: 'env_out' },
    });
    expect(viaEnv.status).toBe(0);
    expect(existsSync(join(fixture.dir, 'env_out/manifest.json'))).toBe(true);
  });

  it('prints JSON lines with --log-format json', () => {
    const result = qdbt(['compile', '--project-dir', fixture.dir, '--log-format', 'json']);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.at(-1)).toMatchObject({ level: 'info', name: 'compile_summary', data: { compiled: 3 } });
  });
});

describe('qdbt compile on a project with many nunjucks templates (translated ahead on a worker)', () => {
  // Over TRANSLATE_AHEAD_MIN templates that need nunjucks, so the built CLI translates them on a
  // second thread: the output and the errors must be the same as translating on the main thread.
  const count = 260;
  const files: Record<string, string> = {
    'macros/cents.sql': `{% macro cents(column) -%} cast({{ column }} * 100 as bigint) {%- endmacro %}`,
  };
  for (let i = 0; i < count; i++) {
    files[`models/m/m_${i}.sql`] =
      i === 0
        ? 'select 1 as amount'
        : `{% set cols = ['amount'] %}select {% for c in cols %}{{ cents(c) }} as {{ c }}_${i}{% endfor %}\nfrom {{ ref('m_${i - 1}') }}`;
  }
  const fixture = writeFixture(files);
  cleanups.push(fixture.cleanup);

  it('compiles every template as the main thread would', () => {
    const result = qdbt(['compile', '--project-dir', fixture.dir]);
    expect(result.stderr).toContain(`Compiled ${count} nodes`);
    expect(result.code).toBe(0);
    expect(readFileSync(join(fixture.dir, 'target/compiled/fixture/models/m/m_250.sql'), 'utf8')).toBe(
      'select cast(amount * 100 as bigint) as amount_250\nfrom `analytics`.`m_249`',
    );
  });

  it('reports a syntax error in one of them with its file and line', () => {
    writeFileSync(
      join(fixture.dir, 'models/m/m_200.sql'),
      `select 1 as amount\n{% if true %}\nfrom {{ ref('m_199') }}\n`,
    );
    const result = qdbt(['compile', '--project-dir', fixture.dir, '--no-cache']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('models/m/m_200.sql:3');
    expect(result.stderr).toMatch(/block is not closed|endif/);
  });
});

describe('qdbt compile when a template fails only when compiled', () => {
  // `execute` is false while parsing: the bad ref shows only when compiling, after the writing
  // thread has started; the command must still end with the error.
  const fixture = writeFixture({
    'models/a.sql': 'select 1 as a',
    'models/b.sql': "{% if execute %}select * from {{ ref('nope') }}{% endif %}",
  });
  cleanups.push(fixture.cleanup);

  it('reports it and exits (2)', () => {
    const result = qdbt(['compile', '--project-dir', fixture.dir]);
    expect(result.stderr).toContain("models/b.sql:1: 'b' refers to 'nope', which is not in the manifest");
    expect(result.code).toBe(2);
  });
});

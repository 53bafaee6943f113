import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../../src/cli/globalOptions.js';
import { cleanProject } from '../../../src/runner/clean.js';
import { sourceFreshness } from '../../../src/runner/freshness.js';
import { runOperation } from '../../../src/runner/runOperation.js';
import { showPreview } from '../../../src/runner/show.js';
import { writeFixture } from '../../helpers/fixtureProject.js';
import { capture, fakeAdapter } from './fakes.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

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
    threads: 2,
    ...extra,
  };
}

const files = {
  'models/stg.sql': `select id, name from {{ source('raw', 'branch') }}`,
  'models/sources.yml': [
    'version: 2',
    'sources:',
    '  - name: raw',
    '    loaded_at_field: loaded_at',
    '    freshness:',
    '      warn_after: {count: 12, period: hour}',
    '      error_after: {count: 1, period: day}',
    '    tables:',
    '      - name: branch',
    '      - name: sales',
    '      - name: stale',
    '      - name: broken',
    '      - name: no_rules',
    '        freshness: null',
    '',
  ].join('\n'),
  'macros/ops.sql': `{% macro grant_select(role, schemas) %}{% for s in schemas %}grant select on database {{ s }} to role {{ role }};{% endfor %}{% endmacro %}`,
};

describe('show, source freshness, run-operation, clean', () => {
  it('show previews the compiled model with a limit, as a table or JSON', async () => {
    const dir = fixture(files);
    const adapter = fakeAdapter(() => ({
      columns: [
        { name: 'qdbt_show.id', type: 'bigint' },
        { name: 'qdbt_show.name', type: 'string' },
      ],
      rows: [
        [1n, 'Harbor'],
        [2n, 'Mill'],
        [3n, 'extra row the limit cuts'],
      ],
    }));
    const { reporter, err } = capture();
    let out = '';
    const code = await showPreview(
      { global: globals(dir, { select: ['stg'] }), limit: 2, output: 'text' },
      {
        reporter: { emit: reporter.emit.bind(reporter), result: (t) => (out += t) },
        createAdapter: async () => adapter,
      },
    );
    expect(code).toBe(0);
    expect(adapter.statements).toEqual([
      'select * from (\nselect id, name from `raw`.`branch`\n) qdbt_show limit 2',
    ]);
    expect(out).toBe('| id | name   |\n| -- | ------ |\n|  1 | Harbor |\n|  2 | Mill   |');
    expect(err()).toContain("Previewing node 'stg':");

    let json = '';
    await showPreview(
      {
        global: globals(dir),
        limit: 1,
        output: 'json',
        inline: `select count(*) as n from {{ ref('stg') }}`,
      },
      { reporter: { emit: () => undefined, result: (t) => (json += t) }, createAdapter: async () => adapter },
    );
    expect(adapter.statements[1]).toBe(
      'select * from (\nselect count(*) as n from `analytics`.`stg`\n) qdbt_show limit 1',
    );
    expect(JSON.parse(json)).toEqual({ node: 'inline_query', show: [{ id: '1', name: 'Harbor' }] });
  });

  it('show --select a model with data tests previews the model, not its tests', async () => {
    const dir = fixture({
      ...files,
      'models/schema.yml':
        'version: 2\nmodels:\n  - name: stg\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n',
    });
    const adapter = fakeAdapter(() => ({ columns: [{ name: 'id', type: 'bigint' }], rows: [[1n]] }));
    const code = await showPreview(
      { global: globals(dir, { select: ['stg'] }), limit: 1, output: 'json' },
      { reporter: { emit: () => undefined, result: () => undefined }, createAdapter: async () => adapter },
    );
    expect(code).toBe(0);
    expect(adapter.statements).toEqual([
      'select * from (\nselect id, name from `raw`.`branch`\n) qdbt_show limit 1',
    ]);
  });

  it('source freshness compares max(loaded_at_field) with the rules and writes sources.json', async () => {
    const dir = fixture(files);
    const now = '2024-03-02 12:00:00';
    const adapter = fakeAdapter((sql) => {
      if (sql.includes('`broken`')) throw new Error('Table not found raw.broken');
      const loaded = sql.includes('`branch`')
        ? '2024-03-02 11:00:00'
        : sql.includes('`sales`')
          ? '2024-03-01 22:00:00'
          : '2024-02-20 00:00:00';
      return { rows: [[loaded, now]] };
    });
    const { reporter, err } = capture();
    const { exitCode, results } = await sourceFreshness(
      { global: globals(dir) },
      { reporter, createAdapter: async () => adapter },
    );
    expect(exitCode).toBe(1);
    expect(Object.fromEntries(results.map((r) => [r.uniqueId, r.status]))).toEqual({
      'source.fixture.raw.branch': 'pass',
      'source.fixture.raw.broken': 'runtime error',
      'source.fixture.raw.sales': 'warn',
      'source.fixture.raw.stale': 'error',
    });
    expect(adapter.statements).toContain(
      'select max(loaded_at) as max_loaded_at, current_timestamp() as snapshotted_at from `raw`.`branch`',
    );
    expect(err()).toMatch(/ERROR STALE freshness of raw\.stale \.+ \[ERROR STALE in/);
    const sources = JSON.parse(readFileSync(join(dir, 'target/sources.json'), 'utf8'));
    expect(
      sources.results.find((r: { unique_id: string }) => r.unique_id === 'source.fixture.raw.sales'),
    ).toMatchObject({
      status: 'warn',
      max_loaded_at_time_ago_in_s: 14 * 3600,
      criteria: { warn_after: { count: 12, period: 'hour' } },
    });
  });

  it('run-operation renders a macro with --args and sends each statement', async () => {
    const dir = fixture(files);
    const adapter = fakeAdapter();
    const { reporter, err } = capture();
    const code = await runOperation(
      { global: globals(dir), macro: 'grant_select', args: '{role: analyst, schemas: [a, b]}' },
      { reporter, createAdapter: async () => adapter },
    );
    expect(code).toBe(0);
    expect(adapter.statements).toEqual([
      'grant select on database a to role analyst',
      'grant select on database b to role analyst',
    ]);
    expect(err()).toContain('Ran operation grant_select: 2 statements');
    await expect(
      runOperation(
        { global: globals(dir), macro: 'grant_selct' },
        { reporter, createAdapter: async () => adapter },
      ),
    ).rejects.toThrow(/no macro named 'grant_selct'/);
  });

  it('clean deletes the clean-targets inside the project and refuses anything outside', () => {
    const dir = fixture({
      ...files,
      'project.yml': `name: fixture\nversion: '1.0'\nprofile: fixture\nclean-targets: [target, logs]\n`,
    });
    mkdirSync(join(dir, 'target/compiled'), { recursive: true });
    writeFileSync(join(dir, 'target/compiled/x.sql'), 'select 1');
    const { reporter } = capture();
    expect(cleanProject(dir, reporter)).toEqual(['target']);
    expect(existsSync(join(dir, 'target'))).toBe(false);
    expect(existsSync(join(dir, 'models'))).toBe(true);
    const outside = fixture({
      'project.yml': `name: fixture\nversion: '1.0'\nprofile: fixture\nclean-targets: ['../']\n`,
    });
    expect(() => cleanProject(outside, reporter)).toThrow(/not a folder inside the project/);
  });
});

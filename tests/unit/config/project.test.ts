import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProjectConfig, resolveFolderConfig } from '../../../src/config/index.js';
import { parseProjectConfig } from '../../../src/config/project.js';
import { errorOf, errorsOf, where } from './helpers.js';

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qdbt-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const FULL = `name: shop
version: "1.2"
config-version: 2
profile: shop_hive
model-paths: ["models", "more_models"]
seed-paths: [data]
target-path: build
vars:
  start_date: '2024-01-01'
  nested: {a: [1, 2]}
  templated: "{{ env_var('NOT_RENDERED_HERE') }}"
on-run-start:
  - "create database if not exists {{ target.schema }}"
on-run-end: "analyze table x compute statistics"
models:
  +materialized: view
  +file_format: orc
  shop:
    staging:
      +schema: staging
      +tags: [staging]
    marts:
      materialized: table
      +partition_by: [dt]
      +pre-hook: "set a=1"
      finance:
        +tags: finance
        +post-hook: ["analyze table {{ this }}"]
        +pre_hook: "set b=2"
        +meta: {owner: fin}
seeds:
  shop:
    +column_types: {id: bigint}
data_tests:
  +severity: warn
local:
  hive_port: 10000
  heap: 2g
query-comment: "qdbt"
`;

describe('loadProjectConfig', () => {
  it('reads every key of project.yml', () => {
    const dir = project({ 'project.yml': FULL });
    const c = loadProjectConfig(dir, { env: {} });
    expect(c.name).toBe('shop');
    expect(c.version).toBe('1.2');
    expect(c.configVersion).toBe(2);
    expect(c.profile).toBe('shop_hive');
    expect(c.modelPaths).toEqual(['models', 'more_models']);
    expect(c.seedPaths).toEqual(['data']);
    expect(c.macroPaths).toEqual(['macros']);
    expect(c.testPaths).toEqual(['tests']);
    expect(c.analysisPaths).toEqual(['analyses']);
    expect(c.targetPath).toBe('build');
    expect(c.logPath).toBe('logs');
    expect(c.cleanTargets).toEqual(['build']);
    expect(c.vars).toEqual({
      start_date: '2024-01-01',
      nested: { a: [1, 2] },
      templated: "{{ env_var('NOT_RENDERED_HERE') }}",
    });
    expect(c.onRunStart).toEqual(['create database if not exists {{ target.schema }}']);
    expect(c.onRunEnd).toEqual(['analyze table x compute statistics']);
    expect(c.local).toEqual({ hive_port: 10000, heap: '2g' });
    expect(c.file).toBe(path.join(dir, 'project.yml'));
    expect(c.unsupported).toEqual([{ value: 'query-comment', file: 'project.yml', line: 39, column: 1 }]);
    expect(c.models.configs).toEqual({ materialized: 'view', file_format: 'orc' });
    expect(c.models.children.shop!.children.marts!.configs).toEqual({
      materialized: 'table',
      partition_by: ['dt'],
      'pre-hook': 'set a=1',
    });
    expect(c.seeds.children.shop!.configs).toEqual({ column_types: { id: 'bigint' } });
    expect(c.tests.configs).toEqual({ severity: 'warn' });
  });

  it('resolves configs by folder: deeper wins, tags and hooks accumulate, meta merges', () => {
    const c = loadProjectConfig(project({ 'project.yml': FULL }), { env: {} });
    expect(resolveFolderConfig(c.models, ['shop', 'staging', 'stg_orders'])).toEqual({
      materialized: 'view',
      file_format: 'orc',
      schema: 'staging',
      tags: ['staging'],
    });
    expect(resolveFolderConfig(c.models, ['shop', 'marts', 'finance', 'revenue'])).toEqual({
      materialized: 'table',
      file_format: 'orc',
      partition_by: ['dt'],
      'pre-hook': ['set a=1', 'set b=2'],
      'post-hook': ['analyze table {{ this }}'],
      tags: ['finance'],
      meta: { owner: 'fin' },
    });
    // Another package's models only get the top-level configs.
    expect(resolveFolderConfig(c.models, ['dbt_utils', 'x'])).toEqual({
      materialized: 'view',
      file_format: 'orc',
    });
  });

  it('falls back to dbt_project.yml and defaults the profile to the name', () => {
    const c = loadProjectConfig(project({ 'dbt_project.yml': 'name: legacy\n' }), { env: {} });
    expect(c.name).toBe('legacy');
    expect(c.profile).toBe('legacy');
    expect(c.version).toBe('1.0.0');
    expect(c.cleanTargets).toEqual(['target']);
    expect(c.file.endsWith('dbt_project.yml')).toBe(true);
  });

  it('prefers project.yml over dbt_project.yml', () => {
    const c = loadProjectConfig(project({ 'project.yml': 'name: a\n', 'dbt_project.yml': 'name: b\n' }), {
      env: {},
    });
    expect(c.name).toBe('a');
  });

  it('says when there is no project file', () => {
    const dir = project({});
    const e = errorOf(() => loadProjectConfig(dir));
    expect(e.kind).toBe('project');
    expect(e.message).toBe(`No project.yml found in ${dir}`);
    expect(e.hint).toMatch(/qdbt init/);
    expect(e.hint).toMatch(/--project-dir/);
  });

  it('renders env_var() with and without a default, keeping hooks raw', () => {
    const text = `name: p
profile: "{{ env_var('QDBT_PROFILE') }}"
target-path: "{{ env_var('QDBT_TARGET', 'target_default') }}"
local:
  port: "{{ env_var('PORT', '10000') | int }}"
  debug: "{{ env_var('DEBUG', 'false') | as_bool }}"
models:
  +schema: "s_{{ env_var('SCHEMA_SUFFIX') }}"
  +pre-hook: "set x={{ env_var('LATER') }}"
`;
    const c = parseProjectConfig(text, 'project.yml', {
      env: { QDBT_PROFILE: 'from_env', SCHEMA_SUFFIX: 'dev' },
    });
    expect(c.profile).toBe('from_env');
    expect(c.targetPath).toBe('target_default');
    expect(c.local).toEqual({ port: 10000, debug: false });
    expect(c.models.configs).toEqual({ schema: 's_dev', 'pre-hook': "set x={{ env_var('LATER') }}" });
  });

  it('names the file:line:col and the variable when an env var is missing', () => {
    const e = errorOf(() =>
      parseProjectConfig('name: p\nprofile: "{{ env_var(\'MISSING_VAR\') }}"\n', 'project.yml', { env: {} }),
    );
    expect(e.message).toBe(
      "environment variable 'MISSING_VAR' is not set, and env_var('MISSING_VAR') has no default",
    );
    expect(where(e)).toBe('project.yml:2:10');
    expect(e.hint).toBe("set MISSING_VAR, or give a default: {{ env_var('MISSING_VAR', '...') }}");
  });

  it('reports unknown keys, wrong types, renamed keys and a missing name', () => {
    const errors = errorsOf(() =>
      parseProjectConfig(
        'profil: x\nmodel-paths: models\nsource-paths: [m]\nconfig-version: 1\nvars: [1]\n',
        'dbt_project.yml',
      ),
    );
    expect(errors.map((e) => `${where(e)}: ${e.message}`)).toEqual([
      "dbt_project.yml:1:1: unknown key 'profil' in dbt_project.yml",
      "dbt_project.yml:2:14: 'model-paths' must be a list of strings, not the string 'models'",
      "dbt_project.yml:3:1: 'source-paths' was renamed to 'model-paths'",
      "dbt_project.yml:4:17: 'config-version' must be a whole number from 2 to 2, not the number 1",
      "dbt_project.yml:5:7: 'vars' must be a mapping, not a list",
      "dbt_project.yml:1:1: dbt_project.yml needs a 'name'",
    ]);
    expect(errors[0]!.hint).toMatch(
      /^did you mean 'profile'\? allowed: name, version, config-version, profile,/,
    );
  });

  it('rejects a bad project name', () => {
    const e = errorOf(() => parseProjectConfig('name: my-shop\n', 'project.yml'));
    expect(e.message).toBe(
      "project name 'my-shop' must hold only letters, digits and underscores, and not start with a digit",
    );
    expect(where(e)).toBe('project.yml:1:7');
    expect(e.hint).toBe('e.g. my_shop');
  });

  it('checks configs in the models tree', () => {
    const errors = errorsOf(() =>
      parseProjectConfig(
        'name: p\nmodels:\n  p:\n    +materialized: tabel\n    +materialised: table\n    staging:\n      schma: x\n    +on_schema_change: drop\n',
        'project.yml',
      ),
    );
    expect(errors.map((e) => `${where(e)}: ${e.message}`)).toEqual([
      "project.yml:4:20: config 'materialized' must be one of view, table, incremental, ephemeral, not 'tabel' in models.p",
      "project.yml:5:5: unknown config 'materialised' in models.p",
      "project.yml:7:7: 'schma' in models.p.staging is neither a known config nor a folder: configs start with '+', folders hold a mapping",
      "project.yml:8:24: config 'on_schema_change' must be one of ignore, fail, append_new_columns, sync_all_columns, not 'drop' in models.p",
    ]);
    expect(errors[0]!.hint).toBe("did you mean 'table'? allowed: view, table, incremental, ephemeral");
    expect(errors[2]!.hint).toMatch(/^did you mean '\+schema'\?/);
  });

  it('rejects tests and data_tests together', () => {
    const e = errorOf(() => parseProjectConfig('name: p\ntests: {}\ndata_tests: {}\n', 'project.yml'));
    expect(e.message).toBe("'data_tests' and 'tests' are the same block: keep one");
    expect(where(e)).toBe('project.yml:3:1');
  });
});

import { describe, expect, it } from 'vitest';
import {
  configErrors,
  mergeConfig,
  parseVarsFlag,
  renderEnvVars,
  resolveFolderConfig,
  validateNodeConfig,
} from '../../../src/config/index.js';
import { QdbtError } from '../../../src/errors.js';

const AT = { file: 'models/orders.sql', line: 1, column: 4 };

describe('validateNodeConfig', () => {
  it('accepts valid configs and adapter pass-through keys', () => {
    expect(
      validateNodeConfig(
        {
          materialized: 'incremental',
          enabled: true,
          tags: ['a'],
          on_schema_change: 'append_new_columns',
          incremental_strategy: 'insert_overwrite',
          file_format: 'PARQUET',
          persist_docs: { relation: true, columns: true },
          partition_by: ['dt'],
          unique_key: 'id',
          post_hook: ['analyze table x'],
          tblproperties: { transactional: 'false' },
          engine: 'tez',
        },
        AT,
      ),
    ).toEqual([]);
  });

  it('returns one message per bad key, with location and allowed values', () => {
    expect(
      validateNodeConfig(
        {
          materialized: 'tabel',
          enabled: 'yes',
          tags: [1],
          on_schema_change: 'drop',
          incremental_strategy: 'upsert',
          file_format: 'csv',
          persist_docs: { relation: true, comments: true },
          materialised: 'view',
        },
        AT,
      ),
    ).toEqual([
      "models/orders.sql:1:4: config 'materialized' must be one of view, table, incremental, ephemeral, not 'tabel' (did you mean 'table'? allowed: view, table, incremental, ephemeral)",
      "models/orders.sql:1:4: config 'enabled' must be true or false, not 'yes'",
      "models/orders.sql:1:4: config 'tags' must be a string or a list of strings, not [1]",
      "models/orders.sql:1:4: config 'on_schema_change' must be one of ignore, fail, append_new_columns, sync_all_columns, not 'drop' (allowed: ignore, fail, append_new_columns, sync_all_columns)",
      "models/orders.sql:1:4: config 'incremental_strategy' must be one of append, insert_overwrite, merge, not 'upsert' (allowed: append, insert_overwrite, merge)",
      "models/orders.sql:1:4: config 'file_format' must be one of parquet, orc, textfile, avro, sequencefile, rcfile, jsonfile, iceberg, not 'csv' (allowed: parquet, orc, textfile, avro, sequencefile, rcfile, jsonfile, iceberg)",
      `models/orders.sql:1:4: config 'persist_docs' must be a mapping with only relation, columns (not 'comments'), not {"relation":true,"comments":true}`,
      expect.stringMatching(
        /^models\/orders\.sql:1:4: unknown config 'materialised' \(did you mean 'materialized'\?/,
      ),
    ]);
  });

  it('gives QdbtErrors with the location through configErrors', () => {
    const [e] = configErrors({ materialized: 'x' }, AT);
    expect(e).toBeInstanceOf(QdbtError);
    expect(e!.location).toEqual(AT);
    expect(e!.hint).toBe('allowed: view, table, incremental, ephemeral');
  });
});

describe('config merging', () => {
  it('unions tags, appends hooks, merges meta, replaces the rest', () => {
    const base: Record<string, unknown> = {
      tags: 'a',
      'pre-hook': 'one',
      meta: { x: 1, y: 1 },
      materialized: 'view',
    };
    mergeConfig(base, { tags: ['b', 'a'], pre_hook: ['two'], meta: { y: 2 }, materialized: 'table' });
    expect(base).toEqual({
      tags: ['a', 'b'],
      'pre-hook': ['one', 'two'],
      meta: { x: 1, y: 2 },
      materialized: 'table',
    });
  });

  it('resolves a tree by path, stopping at the first missing folder', () => {
    const tree = {
      configs: { enabled: true },
      children: {
        p: {
          configs: { schema: 'a' },
          children: { x: { configs: { schema: 'b', tags: ['x'] }, children: {} } },
        },
      },
    };
    expect(resolveFolderConfig(tree, ['p', 'x', 'm'])).toEqual({ enabled: true, schema: 'b', tags: ['x'] });
    expect(resolveFolderConfig(tree, ['p', 'y', 'x'])).toEqual({ enabled: true, schema: 'a' });
    expect(resolveFolderConfig(tree, ['constructor'])).toEqual({ enabled: true });
  });
});

describe('parseVarsFlag', () => {
  it('reads JSON and YAML', () => {
    expect(parseVarsFlag('{"run_date": "2024-01-01", "n": 3, "list": [1, 2]}')).toEqual({
      run_date: '2024-01-01',
      n: 3,
      list: [1, 2],
    });
    expect(parseVarsFlag('{run_date: 2024-01-01, full: true}')).toEqual({
      run_date: '2024-01-01',
      full: true,
    });
    expect(parseVarsFlag('a: 1\nb:\n  c: x\n')).toEqual({ a: 1, b: { c: 'x' } });
    expect(parseVarsFlag('  ')).toEqual({});
  });

  it('gives a usage error for non-mappings and bad syntax', () => {
    let e: unknown;
    try {
      parseVarsFlag('just_a_string');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(QdbtError);
    expect((e as QdbtError).kind).toBe('usage');
    expect((e as QdbtError).message).toBe(
      "--vars must be a mapping of names to values, not the string 'just_a_string'",
    );
    expect((e as QdbtError).hint).toMatch(/--vars '\{"run_date": "2024-01-01"\}'/);
    try {
      parseVarsFlag('{"a": 1');
    } catch (err) {
      e = err;
    }
    expect((e as QdbtError).kind).toBe('usage');
    expect((e as QdbtError).message).toMatch(/^--vars is not valid YAML or JSON: .+ \(line 1, column \d+\)$/);
  });
});

describe('renderEnvVars', () => {
  const problems: string[] = [];
  const render = (text: string, env: Record<string, string | undefined>) =>
    renderEnvVars(text, env, (p) => problems.push(p.message));

  it('renders values, defaults and filters', () => {
    problems.length = 0;
    expect(render("{{ env_var('A') }}", { A: 'x' })).toBe('x');
    expect(render('jdbc://{{ env_var("H", "localhost") }}:{{ env_var(\'P\', 10000) }}/db', {})).toBe(
      'jdbc://localhost:10000/db',
    );
    expect(render("{{ env_var('N') | int }}", { N: '42' })).toBe(42);
    expect(render("{{ env_var('N', '1.5') | as_number }}", {})).toBe(1.5);
    expect(render("{{ env_var('B', 'True') | as_bool }}", {})).toBe(true);
    expect(render("{{- env_var('S') | upper -}}", { S: 'abc' })).toBe('ABC');
    expect(render('{{ target.name }} stays', {})).toBe('{{ target.name }} stays');
    expect(render('{{ env_var("E", "") }}', {})).toBe('');
    expect(problems).toEqual([]);
  });

  it('reports missing variables, bad numbers and unknown filters', () => {
    problems.length = 0;
    render("{{ env_var('MISSING') }}", {});
    render("{{ env_var('N') | int }}", { N: 'abc' });
    render("{{ env_var('N') | reverse }}", { N: '1' });
    render('{{ env_var(NAME) }}', {});
    expect(problems).toEqual([
      "environment variable 'MISSING' is not set, and env_var('MISSING') has no default",
      "environment variable 'N' is 'abc', not a whole number",
      "unknown filter 'reverse' after env_var('N')",
      "cannot read '{{ env_var(NAME) }}'",
    ]);
  });
});

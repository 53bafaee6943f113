import { describe, expect, it } from 'vitest';
import { parsePropertyFile } from '../../../src/config/index.js';
import { errorOf, errorsOf, where } from './helpers.js';

const FILE = 'models/staging/schema.yml';

const VALID = `version: 2

models:
  - name: stg_sales
    description: "Sales, one row per line"
    config:
      materialized: incremental
      incremental_strategy: insert_overwrite
      partition_by: [sale_date]
      file_format: parquet
      tags: nightly
      pre_hook: "set hive.exec.dynamic.partition=true"
    meta: {owner: data-eng}
    docs:
      show: false
    columns:
      - name: sale_id
        description: primary key
        data_type: bigint
        tests:
          - unique
          - not_null
      - name: status
        tags: [pii]
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped']
              config:
                severity: WARN
          - accepted_values:
              arguments:
                values: [a]
              name: status_is_a
              where: "sale_date > '2024-01-01'"
      - name: customer_id
        tests:
          - relationships:
              to: ref('stg_customers')
              field: id
          - dbt_utils.expression_is_true:
              expression: "customer_id > 0"
    tests:
      - dbt_utils.unique_combination_of_columns:
          combination_of_columns: [sale_id, status]

seeds:
  - name: country_codes
    config:
      column_types: {code: string, population: bigint}

sources:
  - name: raw
    schema: raw_db
    loaded_at_field: ingested_at
    freshness:
      warn_after: {count: 12, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: sales
        identifier: sales_v2
        freshness: null
        landing:
          format: csv
          path: /landing/sales/*.csv
        columns:
          - name: id
            tests: [not_null]
      - name: customers

macros:
  - name: cents_to_dollars
    description: Converts cents
    arguments:
      - name: column
        type: string
        description: the column
`;

describe('parsePropertyFile: valid files', () => {
  const file = parsePropertyFile(VALID, FILE);

  it('reads a model with config, meta, docs and positions', () => {
    expect(file.path).toBe(FILE);
    const m = file.models[0]!;
    expect(m.name).toBe('stg_sales');
    expect(m.description).toBe('Sales, one row per line');
    expect(m.config).toEqual({
      materialized: 'incremental',
      incremental_strategy: 'insert_overwrite',
      partition_by: ['sale_date'],
      file_format: 'parquet',
      tags: 'nightly',
      'pre-hook': 'set hive.exec.dynamic.partition=true',
    });
    expect(m.meta).toEqual({ owner: 'data-eng' });
    expect(m.docs).toEqual({ show: false });
    expect(m.location).toEqual({ value: null, file: FILE, line: 4, column: 5 });
  });

  it('reads columns and every test form', () => {
    const [saleId, status, customer] = file.models[0]!.columns;
    expect(saleId).toMatchObject({
      name: 'sale_id',
      description: 'primary key',
      data_type: 'bigint',
      tags: [],
    });
    expect(saleId!.tests.map((t) => t.testName)).toEqual(['unique', 'not_null']);
    expect(saleId!.tests[0]).toEqual({
      testName: 'unique',
      namespace: null,
      kwargs: {},
      config: {},
      name: null,
      location: { value: null, file: FILE, line: 21, column: 13 },
    });
    expect(status!.tags).toEqual(['pii']);
    expect(status!.tests[0]).toMatchObject({
      testName: 'accepted_values',
      kwargs: { values: ['placed', 'shipped'] },
      config: { severity: 'warn' },
      name: null,
    });
    expect(status!.tests[1]).toMatchObject({
      testName: 'accepted_values',
      kwargs: { values: ['a'] },
      config: { where: "sale_date > '2024-01-01'" },
      name: 'status_is_a',
    });
    expect(customer!.tests[0]).toMatchObject({
      testName: 'relationships',
      kwargs: { to: "ref('stg_customers')", field: 'id' },
    });
    expect(customer!.tests[1]).toMatchObject({
      testName: 'expression_is_true',
      namespace: 'dbt_utils',
      kwargs: { expression: 'customer_id > 0' },
    });
    expect(file.models[0]!.tests[0]).toMatchObject({
      testName: 'unique_combination_of_columns',
      namespace: 'dbt_utils',
      kwargs: { combination_of_columns: ['sale_id', 'status'] },
    });
  });

  it('reads seeds with column types', () => {
    expect(file.seeds).toHaveLength(1);
    expect(file.seeds[0]!.config).toEqual({ column_types: { code: 'string', population: 'bigint' } });
  });

  it('reads sources, tables, freshness and landing', () => {
    const src = file.sources[0]!;
    expect(src).toMatchObject({
      name: 'raw',
      schema: 'raw_db',
      database: null,
      loaded_at_field: 'ingested_at',
    });
    expect(src.freshness).toEqual({
      warn_after: { count: 12, period: 'hour' },
      error_after: { count: 1, period: 'day' },
      filter: null,
    });
    const [sales, customers] = src.tables;
    expect(sales).toMatchObject({ name: 'sales', identifier: 'sales_v2', freshness: null });
    expect(sales!.landing).toEqual({ format: 'csv', path: '/landing/sales/*.csv' });
    expect(sales!.columns[0]!.tests[0]!.testName).toBe('not_null');
    expect(customers).toMatchObject({
      name: 'customers',
      identifier: null,
      freshness: undefined,
      landing: null,
    });
  });

  it('defaults the source schema to its name', () => {
    const f = parsePropertyFile(
      'sources:\n  - name: crm\n    tables: [{name: accounts}]\n',
      'models/src.yml',
    );
    expect(f.sources[0]!.schema).toBe('crm');
    expect(f.sources[0]!.tables[0]!.name).toBe('accounts');
  });

  it('reads macro docs', () => {
    expect(file.macros).toEqual([
      {
        name: 'cents_to_dollars',
        description: 'Converts cents',
        arguments: [{ name: 'column', type: 'string', description: 'the column' }],
      },
    ]);
  });

  it('accepts an empty file and notes dbt-only keys', () => {
    expect(parsePropertyFile('', 'models/empty.yml')).toEqual({
      path: 'models/empty.yml',
      models: [],
      seeds: [],
      sources: [],
      macros: [],
    });
    const f = parsePropertyFile('version: 2\nexposures:\n  - name: dash\n', 'models/x.yml');
    expect(f.unsupported).toEqual([{ value: 'exposures', file: 'models/x.yml', line: 2, column: 1 }]);
  });

  it('gives the same result through the fallback YAML parser (anchors)', () => {
    const text = `models:
  - name: a
    columns:
      - &id_col
        name: id
        tests: [unique]
  - name: b
    columns:
      - *id_col
`;
    const f = parsePropertyFile(text, FILE);
    expect(f.models[1]!.columns[0]!.name).toBe('id');
    expect(f.models[1]!.columns[0]!.tests[0]!.testName).toBe('unique');
    expect(f.models[0]!.columns[0]!.location.line).toBe(5);
  });
});

describe('parsePropertyFile: errors', () => {
  it('names an unknown key with file:line:col, the closest name and the allowed keys', () => {
    const e = errorOf(() =>
      parsePropertyFile('version: 2\nmodels:\n  - name: stg_sales\n    descripton: x\n', FILE),
    );
    expect(e.kind).toBe('project');
    expect(e.message).toBe("unknown key 'descripton' in model 'stg_sales'");
    expect(where(e)).toBe(`${FILE}:4:5`);
    expect(e.hint).toBe(
      "did you mean 'description'? allowed: name, description, config, columns, tests, data_tests, meta, docs",
    );
    expect(e.format()).toBe(
      `${FILE}:4:5: unknown key 'descripton' in model 'stg_sales'\n  did you mean 'description'? allowed: name, description, config, columns, tests, data_tests, meta, docs`,
    );
  });

  it('rejects unknown top-level keys', () => {
    const e = errorOf(() => parsePropertyFile('version: 2\nmodel:\n  - name: a\n', FILE));
    expect(e.message).toBe(`unknown key 'model' in ${FILE}`);
    expect(where(e)).toBe(`${FILE}:2:1`);
    expect(e.hint).toMatch(/^did you mean 'models'\? allowed: version, models, seeds, sources, macros/);
  });

  it('rejects a wrong version', () => {
    const e = errorOf(() => parsePropertyFile('version: 1\n', FILE));
    expect(e.message).toBe("'version' must be 2, not the number 1");
    expect(where(e)).toBe(`${FILE}:1:10`);
  });

  it('checks config values and lists the allowed ones', () => {
    const e = errorOf(() =>
      parsePropertyFile('models:\n  - name: a\n    config:\n      materialized: tabel\n', FILE),
    );
    expect(e.message).toBe(
      "config 'materialized' must be one of view, table, incremental, ephemeral, not 'tabel' in model 'a'",
    );
    expect(where(e)).toBe(`${FILE}:4:21`);
    expect(e.hint).toBe("did you mean 'table'? allowed: view, table, incremental, ephemeral");
  });

  it('flags a misspelt config name but passes adapter configs through', () => {
    const e = errorOf(() =>
      parsePropertyFile('models:\n  - name: a\n    config:\n      materialised: table\n', FILE),
    );
    expect(e.message).toBe("unknown config 'materialised' in model 'a'");
    expect(where(e)).toBe(`${FILE}:4:7`);
    expect(e.hint).toMatch(/^did you mean 'materialized'\?/);
    const ok = parsePropertyFile('models:\n  - name: a\n    config:\n      engine_hint: fast\n', FILE);
    expect(ok.models[0]!.config).toEqual({ engine_hint: 'fast' });
  });

  it('checks wrong types', () => {
    const errors = errorsOf(() =>
      parsePropertyFile(
        'models:\n  - name: a\n    config:\n      enabled: "yes"\n    columns: id\n    meta: [1]\n',
        FILE,
      ),
    );
    expect(errors.map((e) => `${where(e)}: ${e.message}`)).toEqual([
      `${FILE}:4:16: config 'enabled' must be true or false, not 'yes' in model 'a'`,
      `${FILE}:5:14: 'columns' of model 'a' must be a list, not the string 'id'`,
      `${FILE}:6:11: 'meta' of model 'a' must be a mapping, not a list`,
    ]);
  });

  it('needs a name', () => {
    const e = errorOf(() => parsePropertyFile('models:\n  - description: x\n', FILE));
    expect(e.message).toBe("a model entry needs a 'name'");
    expect(where(e)).toBe(`${FILE}:2:5`);
  });

  it('reports a model described twice', () => {
    const e = errorOf(() => parsePropertyFile('models:\n  - name: a\n  - name: b\n  - name: a\n', FILE));
    expect(e.message).toBe("model 'a' is described twice in this file");
    expect(where(e)).toBe(`${FILE}:4:5`);
    expect(e.hint).toBe('the first is at line 2: merge them');
  });

  it('checks built-in test arguments', () => {
    const errors = errorsOf(() =>
      parsePropertyFile(
        `models:
  - name: a
    columns:
      - name: s
        tests:
          - accepted_values:
              valuse: [x]
          - relationships: {to: "ref('b')"}
          - accepted_values: {values: x}
          - unique: {severity: warning}
          - "not a name"
`,
        FILE,
      ),
    );
    expect(errors.map((e) => `${where(e)}: ${e.message}`)).toEqual([
      `${FILE}:7:15: unknown argument 'valuse' of test 'accepted_values'`,
      `${FILE}:6:13: test 'accepted_values' needs 'values'`,
      `${FILE}:8:13: test 'relationships' needs 'field'`,
      `${FILE}:9:39: 'values' of test 'accepted_values' must be a list`,
      `${FILE}:10:32: config 'severity' must be one of warn, error, not 'warning'`,
      `${FILE}:11:13: 'not a name' is not a test name`,
    ]);
    expect(errors[0]!.hint).toMatch(/^did you mean 'values'\? allowed: values, quote, config, name/);
  });

  it('rejects a test entry with several keys', () => {
    const e = errorOf(() =>
      parsePropertyFile('models:\n  - name: a\n    tests:\n      - unique:\n        values: [1]\n', FILE),
    );
    expect(e.message).toBe("a test entry holds one key, the test name; found 'unique', 'values'");
    expect(where(e)).toBe(`${FILE}:5:9`);
  });

  it('checks freshness', () => {
    const errors = errorsOf(() =>
      parsePropertyFile(
        'sources:\n  - name: s\n    freshness:\n      warn_after: {count: 0, period: week}\n',
        FILE,
      ),
    );
    expect(errors.map((e) => `${where(e)}: ${e.message}`)).toEqual([
      `${FILE}:4:27: 'count' of 'freshness.warn_after' of source 's' must be a whole number 1 or more, not the number 0`,
      `${FILE}:4:38: 'period' of 'freshness.warn_after' of source 's' must be one of minute, hour, day, not 'week'`,
    ]);
  });

  it('reports unknown keys in sources, tables and columns', () => {
    const errors = errorsOf(() =>
      parsePropertyFile(
        'sources:\n  - name: s\n    tabels: []\n    tables:\n      - name: t\n        identifer: x\n        columns:\n          - name: c\n            type: int\n',
        FILE,
      ),
    );
    expect(errors.map((e) => `${where(e)}: ${e.message} | ${e.hint?.split('?')[0]}`)).toEqual([
      `${FILE}:3:5: unknown key 'tabels' in source 's' | did you mean 'tables'`,
      `${FILE}:6:9: unknown key 'identifer' in table 's.t' | did you mean 'identifier'`,
      `${FILE}:9:13: unknown key 'type' in column 'c' of table 's.t' | allowed: name, description, data_type, meta, tags, tests, data_tests, quote`,
    ]);
  });

  it('says to quote an unquoted Jinja value', () => {
    const e = errorOf(() =>
      parsePropertyFile('models:\n  - name: a\n    description: {{ doc("x") }}\n', FILE),
    );
    expect(e.message).toBe("'description' of model 'a' must be a string, not a mapping");
    expect(where(e)).toBe(`${FILE}:3:18`);
    expect(e.hint).toBe('a value that starts with {{ must be quoted: "{{ ... }}"');
  });

  it('reports YAML syntax errors with their position', () => {
    const e = errorOf(() => parsePropertyFile('models:\n  - name: a\n   bad: x\n', FILE));
    expect(e.message).toBe('invalid YAML: Sequence item without - indicator');
    expect(where(e)).toBe(`${FILE}:3:1`);
    expect(e.hint).toMatch(/indentation/);
  });
});

describe('parsePropertyFile: scale', () => {
  it('parses 10,000 model entries spread over 100 files', () => {
    const files: string[] = [];
    for (let f = 0; f < 100; f++) {
      let s = 'version: 2\nmodels:\n';
      for (let i = 0; i < 100; i++) {
        const n = f * 100 + i;
        s += `  - name: model_${n}\n    description: "Model ${n}"\n    config:\n      materialized: table\n      tags: [a, b]\n    columns:\n      - name: id\n        description: key\n        tests:\n          - unique\n          - not_null\n      - name: status\n        tests:\n          - accepted_values:\n              values: ['a', 'b']\n`;
      }
      files.push(s);
    }
    let best = Infinity;
    let count = 0;
    for (let round = 0; round < 5; round++) {
      const t = performance.now();
      count = 0;
      for (let f = 0; f < files.length; f++)
        count += parsePropertyFile(files[f]!, `models/f${f}.yml`).models.length;
      best = Math.min(best, performance.now() - t);
    }
    console.log(`parsePropertyFile: 10,000 models in ${best.toFixed(0)} ms`);
    expect(count).toBe(10_000);
  });
});

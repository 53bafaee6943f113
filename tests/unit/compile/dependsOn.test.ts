import { afterEach, describe, expect, it } from 'vitest';
import { QdbtError, QdbtErrors } from '../../../src/errors.js';
import type { GraphNode } from '../../../src/manifest/types.js';
import { loadProject } from '../../../src/project/loadProject.js';
import { compileSelected } from '../../../src/project/selectAndCompile.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function parseFixture(files: Record<string, string>) {
  const fixture = writeFixture(files);
  cleanups.push(fixture.cleanup);
  return loadProject({ projectDir: fixture.dir, env: { QDBT_FIXTURE: 'yes' } });
}

function compileFixture(files: Record<string, string>, isIncremental?: (node: GraphNode) => boolean) {
  const project = parseFixture(files);
  compileSelected(project, Object.keys(project.parsed.manifest.nodes), isIncremental);
  return project.parsed.manifest;
}

function catchError(fn: () => unknown): QdbtError {
  try {
    fn();
  } catch (error) {
    if (error instanceof QdbtErrors) return error.errors[0]!;
    if (error instanceof QdbtError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

const STG_B = { 'models/stg_b.sql': 'select 1 as id' };
const CONDITIONAL = `select 1 as id\n{% if execute %}\nunion all select id from {{ ref('stg_b') }}\n{% endif %}\n`;
const HINT = `-- depends_on: {{ ref('stg_b') }}\n`;

describe('a ref() or source() that parsing did not record', () => {
  it('is an error naming the file, the line of the ref and the depends_on hint', () => {
    const error = catchError(() => compileFixture({ ...STG_B, 'models/m.sql': CONDITIONAL }));
    expect(error.kind).toBe('template');
    expect(error.location).toEqual({ file: 'models/m.sql', line: 3 });
    expect(error.message).toBe(
      "model 'm' uses ref('stg_b'), which parsing did not record as a dependency: parsing renders with execute false, so a call inside {% if execute %} or {% if is_incremental() %} is not seen",
    );
    expect(error.hint).toBe("Add this line at the top of models/m.sql: -- depends_on: {{ ref('stg_b') }}");
    expect(error.format()).toMatch(/^models\/m\.sql:3: model 'm' uses ref\('stg_b'\)/);
  });

  it('is recorded at parse time from a `-- depends_on:` comment line, and then compiles', () => {
    const parsed = parseFixture({ ...STG_B, 'models/m.sql': HINT + CONDITIONAL });
    expect(parsed.parsed.manifest.nodes['model.fixture.m']!.depends_on.nodes).toEqual([
      'model.fixture.stg_b',
    ]);
    expect(parsed.parsed.manifest.parent_map['model.fixture.m']).toEqual(['model.fixture.stg_b']);

    const manifest = compileFixture({ ...STG_B, 'models/m.sql': HINT + CONDITIONAL });
    const compiled = manifest.nodes['model.fixture.m']!.compiled_code!;
    expect(compiled).toContain('-- depends_on: `analytics`.`stg_b`');
    expect(compiled).toContain('union all select id from `analytics`.`stg_b`');
  });

  it('inside {% if is_incremental() %} fails only when the runner compiles it as incremental', () => {
    const model = `{{ config(materialized='incremental') }}\nselect 1 as id\n{% if is_incremental() %}\nwhere id not in (select id from {{ ref('stg_b') }})\n{% endif %}\n`;
    const full = compileFixture({ ...STG_B, 'models/inc.sql': model });
    expect(full.nodes['model.fixture.inc']!.compiled_code).not.toContain('stg_b');

    const error = catchError(() => compileFixture({ ...STG_B, 'models/inc.sql': model }, () => true));
    expect(error.location).toEqual({ file: 'models/inc.sql', line: 4 });
    expect(error.hint).toBe("Add this line at the top of models/inc.sql: -- depends_on: {{ ref('stg_b') }}");

    const hinted = compileFixture({ ...STG_B, 'models/inc.sql': HINT + model }, () => true);
    expect(hinted.nodes['model.fixture.inc']!.compiled_code).toContain(
      'where id not in (select id from `analytics`.`stg_b`)',
    );
  });

  it('names the line of the macro call when a macro makes the ref', () => {
    const error = catchError(() =>
      compileFixture({
        ...STG_B,
        'macros/other.sql': `{% macro other() %}{% if execute %}{{ ref('stg_b') }}{% endif %}{% endmacro %}`,
        'models/m.sql': `select 1 as id\nunion all\nselect id from {{ other() }}\n`,
      }),
    );
    expect(error.location).toEqual({ file: 'models/m.sql', line: 3 });
    expect(error.message).toContain("model 'm' uses ref('stg_b')");
  });

  it('covers source() too', () => {
    const sources = `version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n`;
    const model = `select 1 as id\n{% if execute %}\nunion all select id from {{ source('raw', 'events') }}\n{% endif %}\n`;
    const error = catchError(() => compileFixture({ 'models/sources.yml': sources, 'models/m.sql': model }));
    expect(error.location).toEqual({ file: 'models/m.sql', line: 3 });
    expect(error.message).toContain("model 'm' uses source('raw', 'events'), which parsing did not record");
    expect(error.hint).toBe(
      "Add this line at the top of models/m.sql: -- depends_on: {{ source('raw', 'events') }}",
    );
    const manifest = compileFixture({
      'models/sources.yml': sources,
      'models/m.sql': `-- depends_on: {{ source('raw', 'events') }}\n${model}`,
    });
    expect(manifest.nodes['model.fixture.m']!.compiled_code).toContain(
      'union all select id from `raw`.`events`',
    );
  });

  it('covers ephemeral models, and the hint inlines their CTE', () => {
    const ephemeral = { 'models/stg_b.sql': `{{ config(materialized='ephemeral') }}select 1 as id` };
    const error = catchError(() => compileFixture({ ...ephemeral, 'models/m.sql': CONDITIONAL }));
    expect(error.location).toEqual({ file: 'models/m.sql', line: 3 });
    const manifest = compileFixture({ ...ephemeral, 'models/m.sql': HINT + CONDITIONAL });
    const compiled = manifest.nodes['model.fixture.m']!.compiled_code!;
    expect(compiled).toContain('with dbt__cte__stg_b as (\nselect 1 as id\n)\nselect 1 as id');
    expect(compiled).toContain('union all select id from dbt__cte__stg_b');
  });

  it('in a singular test is an error too, with the test file', () => {
    const error = catchError(() =>
      compileFixture({
        ...STG_B,
        'tests/no_rows.sql': `select 1 as id from {{ ref('stg_b') }} where false\n{% if execute %}union all select id from {{ ref('other') }}{% endif %}`,
        'models/other.sql': 'select 2 as id',
      }),
    );
    expect(error.location).toEqual({ file: 'tests/no_rows.sql', line: 2 });
    expect(error.message).toContain("test 'no_rows' uses ref('other')");
  });

  it('still reports a ref to a missing or disabled model as not in the manifest', () => {
    const missing = catchError(() => compileFixture({ 'models/m.sql': CONDITIONAL }));
    expect(missing.message).toBe("'m' refers to 'stg_b', which is not in the manifest");
    const disabled = catchError(() =>
      compileFixture({
        'models/stg_b.sql': `{{ config(enabled=false) }}select 1`,
        'models/m.sql': CONDITIONAL,
      }),
    );
    expect(disabled.message).toBe("'m' refers to 'stg_b', which is not in the manifest");
  });
});

describe('refs that parsing recorded', () => {
  it('compile as before: literal-only models, templated ones, ephemerals, singular and generic tests', () => {
    const manifest = compileFixture({
      'models/stg_b.sql': 'select 1 as id',
      'models/eph.sql': `{{ config(materialized='ephemeral') }}select id from {{ ref('stg_b') }}`,
      'models/plain.sql': `select * from {{ ref('stg_b') }}`,
      'models/templated.sql': `{% set n = 1 %}select * from {{ ref('eph') }}{% if execute %} where id = {{ n }}{% endif %}`,
      'macros/tests.sql': `{% test in_stg_b(model, column_name) %}select * from {{ model }} where {{ column_name }} not in (select id from {{ ref('stg_b') }}){% endtest %}`,
      'models/schema.yml': `version: 2\nmodels:\n  - name: plain\n    columns:\n      - name: id\n        data_tests: [not_null, in_stg_b]\n`,
      'tests/plain_ids.sql': `select * from {{ ref('plain') }} where id is null`,
    });
    expect(manifest.nodes['model.fixture.plain']!.compiled_code).toBe('select * from `analytics`.`stg_b`');
    expect(manifest.nodes['model.fixture.templated']!.compiled_code).toBe(
      'with dbt__cte__eph as (\nselect id from `analytics`.`stg_b`\n)\nselect * from dbt__cte__eph where id = 1',
    );
    expect(manifest.nodes['test.fixture.plain_ids']!.compiled_code).toBe(
      'select * from `analytics`.`plain` where id is null',
    );
    const tests = Object.values(manifest.nodes).filter((n) => n.resource_type === 'test');
    // A generic test's macro may ref() what its YAML does not name, as before.
    const custom = tests.find((t) => t.name.startsWith('in_stg_b'))!;
    expect(custom.depends_on.nodes).toEqual(['model.fixture.plain']);
    expect(custom.compiled_code).toContain('not in (select id from `analytics`.`stg_b`)');
    expect(tests.find((t) => t.name.startsWith('not_null'))!.compiled_code).toContain('`analytics`.`plain`');
  });
});

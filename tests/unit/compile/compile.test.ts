import { afterEach, describe, expect, it } from 'vitest';
import { QdbtError, QdbtErrors } from '../../../src/errors.js';
import { loadProject } from '../../../src/project/loadProject.js';
import { compileSelected } from '../../../src/project/selectAndCompile.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function compileFixture(files: Record<string, string>, vars?: string) {
  const fixture = writeFixture(files);
  cleanups.push(fixture.cleanup);
  const project = loadProject({ projectDir: fixture.dir, vars, env: { QDBT_FIXTURE: 'yes' } });
  compileSelected(project, Object.keys(project.parsed.manifest.nodes));
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

describe('compile', () => {
  it('resolves ref and source to backquoted Hive relations with dbt schema naming', () => {
    const manifest = compileFixture({
      'project.yml': `name: fixture\nversion: '1.0'\nprofile: fixture\nmodels:\n  fixture:\n    marts:\n      +schema: marts\n`,
      'models/sources.yml': `version: 2\nsources:\n  - name: raw\n    schema: lake\n    tables:\n      - name: sales\n        identifier: sales_v2\n`,
      'models/stg_sales.sql': `select * from {{ source('raw', 'sales') }}`,
      'models/marts/fct_sales.sql': `select * from {{ ref('stg_sales') }}`,
    });
    expect(manifest.nodes['model.fixture.stg_sales']!.compiled_code).toBe('select * from `lake`.`sales_v2`');
    expect(manifest.nodes['model.fixture.fct_sales']!.compiled_code).toBe(
      'select * from `analytics`.`stg_sales`',
    );
    expect(manifest.nodes['model.fixture.fct_sales']!.schema).toBe('analytics_marts');
    expect(manifest.nodes['model.fixture.fct_sales']!.depends_on.nodes).toEqual(['model.fixture.stg_sales']);
    expect(manifest.parent_map['model.fixture.stg_sales']).toEqual(['source.fixture.raw.sales']);
  });

  it('inlines ephemeral models as CTEs, dependencies first, merging with an existing WITH', () => {
    const manifest = compileFixture({
      'models/base.sql': `{{ config(materialized='ephemeral') }}select 1 as id`,
      'models/middle.sql': `{{ config(materialized='ephemeral') }}select id from {{ ref('base') }}`,
      'models/top.sql': `with extra as (select 2 as id)\nselect * from {{ ref('middle') }} union all select * from extra`,
      'models/plain.sql': `select * from {{ ref('base') }}`,
    });
    expect(manifest.nodes['model.fixture.top']!.compiled_code).toBe(
      'with dbt__cte__base as (\nselect 1 as id\n),\ndbt__cte__middle as (\nselect id from dbt__cte__base\n),\nextra as (select 2 as id)\nselect * from dbt__cte__middle union all select * from extra',
    );
    expect(manifest.nodes['model.fixture.plain']!.compiled_code).toBe(
      'with dbt__cte__base as (\nselect 1 as id\n)\nselect * from dbt__cte__base',
    );
    expect(manifest.nodes['model.fixture.base']!.relation_name).toBeNull();
  });

  it('applies config precedence: project.yml folder < property YAML < config() in the file', () => {
    const manifest = compileFixture({
      'project.yml': `name: fixture\nversion: '1.0'\nprofile: fixture\nmodels:\n  fixture:\n    +materialized: table\n    +tags: ['a']\n`,
      'models/schema.yml': `version: 2\nmodels:\n  - name: m\n    config:\n      materialized: view\n      tags: ['b']\n`,
      'models/m.sql': `{{ config(materialized='incremental', tags=['c']) }}select 1`,
      'models/n.sql': `select 1`,
    });
    expect(manifest.nodes['model.fixture.m']!.config.materialized).toBe('incremental');
    expect(manifest.nodes['model.fixture.m']!.config.tags).toEqual(['a', 'b', 'c']);
    expect(manifest.nodes['model.fixture.n']!.config.materialized).toBe('table');
  });

  it('uses a project generate_schema_name macro', () => {
    const manifest = compileFixture({
      'project.yml': `name: fixture\nversion: '1.0'\nprofile: fixture\nmodels:\n  fixture:\n    +schema: staging\n`,
      'macros/naming.sql': `{% macro generate_schema_name(custom_schema_name, node) -%}{{ custom_schema_name or target.schema }}{%- endmacro %}`,
      'models/m.sql': `select 1`,
    });
    expect(manifest.nodes['model.fixture.m']!.schema).toBe('staging');
    expect(manifest.nodes['model.fixture.m']!.relation_name).toBe('`staging`.`m`');
  });

  it('builds generic tests with dbt names and compiles them, including where: and relationships to ref()', () => {
    const manifest = compileFixture({
      'models/orders.sql': `select 1 as id, 'placed' as status, 1 as customer_id`,
      'models/customers.sql': `select 1 as id`,
      'models/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: status
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped']
              config:
                where: "id > 0"
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: id
`,
    });
    const tests = Object.values(manifest.nodes).filter((n) => n.resource_type === 'test');
    const names = tests.map((t) => t.name).sort();
    expect(names).toEqual([
      'accepted_values_orders_status__placed__shipped',
      'relationships_orders_customer_id__id__ref_customers_',
    ]);
    const accepted = tests.find((t) => t.name.startsWith('accepted'))!;
    expect(accepted.compiled_code).toContain(
      'from (select * from `analytics`.`orders` where id > 0) dbt_subquery',
    );
    expect(accepted.compiled_code).toContain("value_field not in ('placed', 'shipped')");
    const rel = tests.find((t) => t.name.startsWith('relationships'))!;
    expect(rel.depends_on.nodes).toEqual(['model.fixture.customers', 'model.fixture.orders']);
    expect(rel.compiled_code).toContain('from `analytics`.`customers`');
  });

  it("names a source's generic tests as dbt does, with a source_ prefix", () => {
    const manifest = compileFixture({
      'models/sources.yml': `version: 2
sources:
  - name: shop
    tables:
      - name: orders
        columns:
          - name: order_id
            data_tests: [not_null, unique]
`,
    });
    const names = Object.values(manifest.nodes)
      .filter((n) => n.resource_type === 'test')
      .map((t) => t.name)
      .sort();
    expect(names).toEqual(['source_not_null_shop_orders_order_id', 'source_unique_shop_orders_order_id']);
  });
});

describe('project errors', () => {
  it('names the model, file, line and closest names for a ref to a missing model', () => {
    const error = catchError(() =>
      compileFixture({
        'models/stg_sales.sql': 'select 1',
        'models/fct.sql': `select 1\nunion all\nselect * from {{ ref('stg_sale') }}`,
      }),
    );
    expect(error.message).toBe("model 'fct' depends on a node named 'stg_sale' which was not found");
    expect(error.location).toEqual({ file: 'models/fct.sql', line: 3 });
    expect(error.hint).toBe('Did you mean: stg_sales?');
  });

  it('prints a cycle with its files', () => {
    const error = catchError(() =>
      compileFixture({
        'models/a.sql': `select * from {{ ref('c') }}`,
        'models/b.sql': `select * from {{ ref('a') }}`,
        'models/c.sql': `select * from {{ ref('b') }}`,
      }),
    );
    expect(error.kind).toBe('graph');
    expect(error.format()).toMatch(
      /model\.fixture\.a -> model\.fixture\.\w -> model\.fixture\.\w -> model\.fixture\.a/,
    );
    expect(error.format()).toContain('models/a.sql');
    expect(error.format()).toContain('models/c.sql');
  });

  it('points a template error at the model file and line', () => {
    const error = catchError(() => compileFixture({ 'models/m.sql': `select 1\n{{ undefined_thing }}\n` }));
    expect(error.kind).toBe('template');
    expect(error.location?.file).toBe('models/m.sql');
    expect(error.location?.line).toBe(2);
    expect(error.message).toContain('undefined_thing');
  });

  it('names a missing source with the closest declared one', () => {
    const error = catchError(() =>
      compileFixture({
        'models/sources.yml': `version: 2\nsources:\n  - name: app\n    tables:\n      - name: events\n`,
        'models/m.sql': `select * from {{ source('app', 'event') }}`,
      }),
    );
    expect(error.message).toBe("model 'm' depends on source 'app.event' which was not found");
    expect(error.hint).toBe('Did you mean: app.events?');
    expect(error.location).toEqual({ file: 'models/m.sql', line: 1 });
  });

  it('refuses a ref to a disabled model and two models with one name', () => {
    const disabled = catchError(() =>
      compileFixture({
        'models/old.sql': `{{ config(enabled=false) }}select 1`,
        'models/m.sql': `select * from {{ ref('old') }}`,
      }),
    );
    expect(disabled.message).toBe("model 'm' depends on 'old', which is disabled");
    const duplicate = catchError(() =>
      compileFixture({ 'models/a/m.sql': 'select 1', 'models/b/m.sql': 'select 2' }),
    );
    expect(duplicate.message).toBe("two nodes are named 'm': models/a/m.sql and models/b/m.sql");
  });

  it('names an unknown generic test with the closest one', () => {
    const error = catchError(() =>
      compileFixture({
        'models/m.sql': 'select 1 as id',
        'models/schema.yml': `version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests: [uniqe]\n`,
      }),
    );
    expect(error.message).toBe("unknown data test 'uniqe' on column 'id' of 'm'");
    expect(error.location?.file).toBe('models/schema.yml');
    expect(error.location?.line).toBe(6);
    expect(error.hint).toBe('Did you mean: unique?');
  });
});

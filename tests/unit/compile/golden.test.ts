import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/project/loadProject.js';
import { compileSelected } from '../../../src/project/selectAndCompile.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const golden = (name: string) => join(repoRoot, 'tests', 'golden', 'compile', name);

/** One model per templating feature, compiled end to end; the SQL is kept as golden files. */
const FEATURES: Record<string, string> = {
  'macros/util.sql': `{% macro cents(column, scale=2) -%}
cast({{ column }} * 100 as decimal(18, {{ scale }}))
{%- endmacro %}

{% macro column_list() %}{{ return(['id', 'name', 'amount']) }}{% endmacro %}

{% macro wrap() -%}
({{ caller() }})
{%- endmacro %}

{% macro self_name() -%}{{ this }}{%- endmacro %}
`,
  'models/base.sql': `select 1 as id, 'a' as name, 2.5 as amount`,
  'models/f_macro_defaults.sql': `select {{ cents('amount') }} as a, {{ cents('amount', scale=4) }} as b from {{ ref('base') }}`,
  'models/f_set_block.sql': `{% set cols %}id, name{% endset %}select {{ cols | trim }} from {{ ref('base') }}`,
  'models/f_call_caller.sql': `select * from {% call wrap() %}select id from {{ ref('base') }}{% endcall %} t`,
  'models/f_do_namespace.sql': `{% set ns = namespace(total=0) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% endfor %}{% set xs = [] %}{% do xs.append('x') %}select {{ ns.total }} as total, '{{ xs | join(",") }}' as xs`,
  'models/f_tojson_map_items.sql': `{% set d = {'b': 2, 'a': 1} %}select '{{ d | tojson }}' as j, '{{ [{'n': 'p'}, {'n': 'q'}] | map(attribute='n') | join('|') }}' as m{% for k, v in d.items() %}, {{ v }} as {{ k }}{% endfor %}`,
  'models/f_string_methods.sql': `select '{{ "  Hello ".strip().upper() }}' as s, '{{ "a-b-c".replace("-", "_") }}' as r, '{{ "x,y".split(",") | length }}' as n`,
  'models/f_return.sql': `select {{ column_list() | join(', ') }} from {{ ref('base') }}`,
  'models/f_this_target.sql': `{{ config(schema='marts') }}select '{{ this }}' as me, '{{ target.name }}' as t, '{{ self_name() }}' as via_macro`,
  'models/f_vars_env.sql': `select '{{ var("region") }}' as region, '{{ var("missing", "fallback") }}' as d, '{{ env_var("QDBT_FIXTURE") }}' as e, '{{ env_var("QDBT_NOT_SET", "none") }}' as f`,
  'models/f_incremental.sql': `{{ config(materialized='incremental') }}select * from {{ ref('base') }}{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}`,
  'models/f_whitespace.sql': `select
{%- for c in ['id', 'name'] %}
  {{ c }}{% if not loop.last %},{% endif %}
{%- endfor %}
from {{ ref('base') }}`,
  'models/f_raw.sql': `select '{% raw %}{{ not rendered }}{% endraw %}' as raw_text`,
  'macros/tests.sql': `{% test is_even(model, column_name) %}select * from {{ model }} where {{ column_name }} % 2 = 1{% endtest %}`,
  'models/schema.yml': `version: 2\nmodels:\n  - name: base\n    columns:\n      - name: id\n        data_tests: [is_even, unique]\n`,
};

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

describe('golden compiled SQL', () => {
  it('every templating feature', async () => {
    const fixture = writeFixture(FEATURES);
    cleanups.push(fixture.cleanup);
    const project = loadProject({
      projectDir: fixture.dir,
      vars: 'region: emea',
      env: { QDBT_FIXTURE: 'from-env' },
    });
    compileSelected(project, Object.keys(project.parsed.manifest.nodes));
    for (const node of Object.values(project.parsed.manifest.nodes)) {
      await expect(node.compiled_code).toMatchFileSnapshot(golden(`features/${node.name}.sql`));
    }
  });

  it("Q Company's project, and its manifest against the published JSON schema", async () => {
    const project = loadProject({ projectDir: repoRoot, env: {} });
    compileSelected(project, Object.keys(project.parsed.manifest.nodes));
    const manifest = project.parsed.manifest;
    for (const node of Object.values(manifest.nodes)) {
      if (node.resource_type === 'seed') continue;
      await expect(node.compiled_code).toMatchFileSnapshot(golden(`qcompany/${node.name}.sql`));
    }
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'manifest.v1.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    const valid = validate(JSON.parse(JSON.stringify(manifest)));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(manifest.nodes['model.qcompany.fct_sales']!.depends_on.nodes).toEqual([
      'model.qcompany.std_sales_transactions',
    ]);
    expect(manifest.nodes['model.qcompany.std_sales_transactions']!.depends_on.macros).toEqual([
      'macro.qcompany.clean_email',
      'macro.qcompany.parse_loose_date',
    ]);
  });
});

/**
 * dbt's four built-in generic tests, written for HiveQL. A project overrides one by defining a
 * `{% test %}` block of the same name in macros/ or tests/generic/.
 */
export const BUILTIN_TESTS: Record<string, string> = {
  not_null: `{% test not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endtest %}
`,
  unique: `{% test unique(model, column_name) %}
select {{ column_name }} as unique_field, count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endtest %}
`,
  accepted_values: `{% test accepted_values(model, column_name, values, quote=true) %}
with all_values as (
  select {{ column_name }} as value_field, count(*) as n_records
  from {{ model }}
  group by {{ column_name }}
)
select * from all_values
where value_field not in (
  {%- for value in values -%}
  {%- if quote %}'{{ value }}'{% else %}{{ value }}{% endif %}{% if not loop.last %}, {% endif %}
  {%- endfor -%}
)
{% endtest %}
`,
  relationships: `{% test relationships(model, column_name, to, field) %}
with child as (
  select {{ column_name }} as from_field
  from {{ model }}
  where {{ column_name }} is not null
),
parent as (
  select {{ field }} as to_field
  from {{ to }}
)
select from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
{% endtest %}
`,
};

export const BUILTIN_PATH_PREFIX = '<qdbt>/';

/** The built-in tests a project has not overridden, as macro files for the template engine. */
export function builtinTestFiles(projectMacroSources: string[]): Array<{ path: string; source: string }> {
  const defined = new Set<string>();
  for (const source of projectMacroSources) {
    for (const match of source.matchAll(/\{%-?\s*test\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g))
      defined.add(match[1]!);
  }
  return Object.entries(BUILTIN_TESTS)
    .filter(([name]) => !defined.has(name))
    .map(([name, source]) => ({ path: `${BUILTIN_PATH_PREFIX}tests/${name}.sql`, source }));
}

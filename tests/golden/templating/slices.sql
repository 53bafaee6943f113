{#- Jinja's slices, which nunjucks lacks: strings and lists, negative bounds, steps. -#}
{%- set cols = ['id', 'name', 'amount', 'updated_at'] -%}
select {{ cols[1:3] | join(', ') }} from {{ this.identifier[:7] }}_src
-- last two: {{ cols[-2:] | join(', ') }}
-- reversed: {{ cols[::-1] | join(', ') }}
-- every other: {{ cols[::2] | join(', ') }}
-- prefix cut: {{ 'stg_orders'[4:] }}
-- reversed string: {{ 'abc'[::-1] }}
-- out of range: [{{ 'abc'[5:9] }}] {{ cols[-10:1] }}
-- index still works: {{ cols[0] }} {{ cols[-1] }} {{ {'a': 1}['a'] }}
-- in an expression: {{ (cols | map('upper') | list)[1:] | length }}

{%- set cols = [] -%}
{%- do cols.append('a') -%}
{%- do cols.extend(['b', 'c']) -%}
{%- set opts = {'x': 1} -%}
{%- do opts.update({'y': 2}) -%}
{%- do opts.update(z=3) -%}
{%- set header -%}
    -- generated: {{ cols | join(', ') }}
{%- endset -%}
{{ header }}
{%- set ns = namespace(total=0, seen=[]) %}
{%- for i in range(1, 5) %}
    {%- set ns.total = ns.total + i %}
    {%- do ns.seen.append(i * 10) %}
{%- endfor %}
select {{ ns.total }} as total, '{{ ns.seen }}' as seen, {{ opts | tojson }} as opts
{%- set a, b = 'left.right'.split('.') %}
-- {{ a }} / {{ b }}
{%- set t = 1, 2 %}
-- tuple {{ t }} {{ t | length }}

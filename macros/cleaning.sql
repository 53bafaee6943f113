{# Raw emails carry junk around the address ("  JOHN@x.com;;"): keep the address, lower-cased. #}
{% macro clean_email(column) -%}
  lower(regexp_extract({{ column }}, '([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})', 1))
{%- endmacro %}

{# Dates arrive as 2024-1-5 as often as 2024-01-05: parse both into a DATE. #}
{% macro parse_loose_date(column) -%}
  to_date(from_unixtime(unix_timestamp(cast({{ column }} as string), 'yyyy-M-d')))
{%- endmacro %}

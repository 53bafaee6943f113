{% macro cents_to_dollars(column, scale=2) -%}
    ({{ column }} / 100)::decimal(16, {{ scale }})
{%- endmacro %}

{% macro payment_methods() %}
    {{ return(['bank_transfer', 'credit_card', 'gift_card']) }}
{% endmacro %}

{% macro settings() %}
    {% set s = {'a': 1} %}
    {% do s.update({'b': 2}) %}
    {{ return(s) }}
{% endmacro %}

{% macro first_positive(values) %}
    {% for v in values %}
        {% if v > 0 %}{{ return(v) }}{% endif %}
    {% endfor %}
    {{ exceptions.raise_compiler_error('no positive value') }}
{% endmacro %}

{% macro current_model() -%}
    {{ this }} from {{ model.name }} reading {{ ref('orders') }}{% if is_incremental() %} (incremental){% endif %}
{%- endmacro %}

{% macro wrap(tag) -%}
    <{{ tag }}>{{ caller() }}</{{ tag }}>
{%- endmacro %}

{% macro each(items) -%}
    {% for item in items %}{{ caller(item, loop.index) }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{% macro calls_other() -%}
    {{ cents_to_dollars('x', scale=4) }}
{%- endmacro %}

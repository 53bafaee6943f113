select
    {{ cents_to_dollars('amount') }} as amount,
    {{ cents_to_dollars('fee', scale=4) }} as fee,
    {{ calls_other() }} as nested,
{%- for method in payment_methods() %}
    sum(case when payment_method = '{{ method }}' then amount end) as {{ method }}_amount,
{%- endfor %}
    {{ settings() | tojson }} as settings,
    {{ first_positive([-1, 0, 5, 7]) }} as first_positive
from {{ ref('payments') }}
-- {{ current_model() }}

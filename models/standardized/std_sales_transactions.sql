{{ config(materialized='view') }}

-- Typed and cleaned: dates zero-padded, emails stripped of junk, money as decimals.
select
  cast(transaction_id as string) as transaction_id,
  {{ parse_loose_date('transaction_date') }} as transaction_date,
  cast(customer_id as bigint) as customer_id,
  {{ clean_email('customer_email') }} as customer_email,
  cast(sales_agent_id as bigint) as sales_agent_id,
  cast(branch_id as bigint) as branch_id,
  cast(product_id as bigint) as product_id,
  trim(product_name) as product_name,
  lower(trim(product_category)) as product_category,
  {%- set offers = [] %}
  {%- for i in range(1, 6) %}{% do offers.append('offer_' ~ i) %}{% endfor %}
  case
  {%- for offer in offers %}
    when lower(cast({{ offer }} as string)) = 'true' then '{{ offer }}'
  {%- endfor %}
    else null
  end as redeemed_offer,
  cast(units as int) as units,
  cast(unit_price as decimal(12, 2)) as unit_price,
  lower(cast(is_online as string)) in ('yes', 'true', '1') as is_online,
  lower(trim(payment_method)) as payment_method,
  trim(shipping_address) as shipping_address
from {{ ref('stg_sales_transactions') }}

{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partition_by=['transaction_date'],
    on_schema_change='append_new_columns'
) }}

select
  transaction_id,
  customer_id,
  customer_email,
  sales_agent_id,
  branch_id,
  product_id,
  product_name,
  product_category,
  redeemed_offer,
  units,
  unit_price,
  units * unit_price as total_amount,
  is_online,
  payment_method,
  shipping_address,
  transaction_date
from {{ ref('std_sales_transactions') }}
where transaction_date >= '{{ var("start_date") }}'
{% if is_incremental() %}
  and transaction_date >= date_sub(current_date, 3)
{% endif %}

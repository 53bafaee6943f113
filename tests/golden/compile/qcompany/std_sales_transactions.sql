

-- Typed and cleaned: dates zero-padded, emails stripped of junk, money as decimals.
select
  cast(transaction_id as string) as transaction_id,
  to_date(from_unixtime(unix_timestamp(cast(transaction_date as string), 'yyyy-M-d'))) as transaction_date,
  cast(customer_id as bigint) as customer_id,
  lower(regexp_extract(customer_email, '([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})', 1)) as customer_email,
  cast(sales_agent_id as bigint) as sales_agent_id,
  cast(branch_id as bigint) as branch_id,
  cast(product_id as bigint) as product_id,
  trim(product_name) as product_name,
  lower(trim(product_category)) as product_category,
  case
    when lower(cast(offer_1 as string)) = 'true' then 'offer_1'
    when lower(cast(offer_2 as string)) = 'true' then 'offer_2'
    when lower(cast(offer_3 as string)) = 'true' then 'offer_3'
    when lower(cast(offer_4 as string)) = 'true' then 'offer_4'
    when lower(cast(offer_5 as string)) = 'true' then 'offer_5'
    else null
  end as redeemed_offer,
  cast(units as int) as units,
  cast(unit_price as decimal(12, 2)) as unit_price,
  lower(cast(is_online as string)) in ('yes', 'true', '1') as is_online,
  lower(trim(payment_method)) as payment_method,
  trim(shipping_address) as shipping_address
from `qcompany_staging`.`stg_sales_transactions`


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
from `qcompany_standardized`.`std_sales_transactions`
where transaction_date >= '2024-01-01'

-- Raw transactions with the drifting headers mapped to one set of names.
select
  transaction_id,
  transaction_date,
  customer_id,
  customer_fname,
  customer_lname,
  customer_email,
  sales_agent_id,
  branch_id,
  product_id,
  product_name,
  product_category,
  offer_1, offer_2, offer_3, offer_4, offer_5,
  units,
  unit_price,
  is_online,
  payment_method,
  shipping_address
from `qcompany_raw`.`sales_transactions`
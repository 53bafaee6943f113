select transaction_id
from `qcompany_raw`.`sales_transactions`
where transaction_id is null
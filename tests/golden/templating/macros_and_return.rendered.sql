select
    (amount / 100)::decimal(16, 2) as amount,
    (fee / 100)::decimal(16, 4) as fee,
    (x / 100)::decimal(16, 4) as nested,
    sum(case when payment_method = 'bank_transfer' then amount end) as bank_transfer_amount,
    sum(case when payment_method = 'credit_card' then amount end) as credit_card_amount,
    sum(case when payment_method = 'gift_card' then amount end) as gift_card_amount,
    {"a": 1, "b": 2} as settings,
    5 as first_positive
from `analytics`.`payments`
-- `analytics`.`current_model` from current_model reading `analytics`.`orders`

select *
from `analytics`.`orders`
where amount < 0

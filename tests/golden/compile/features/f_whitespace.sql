select
  id,
  name
from `analytics`.`base`
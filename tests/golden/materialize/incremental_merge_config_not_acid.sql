-- error: orders: incremental_strategy 'merge' needs an ACID (transactional) or Iceberg table, and `analytics`.`orders` is configured as neither
-- hint: set file_format: orc and tblproperties: {transactional: 'true'} (then run once with --full-refresh), or use incremental_strategy 'append' or 'insert_overwrite'

-- create schema if missing analytics

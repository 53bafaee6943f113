-- error: orders: cannot MERGE into `analytics`.`orders`: the existing table is not transactional (ACID) or Iceberg
-- hint: run once with --full-refresh to rebuild it as configured (transactional), or use incremental_strategy append or insert_overwrite

-- create schema if missing analytics

-- describe analytics.orders

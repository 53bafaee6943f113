-- error: model 'orders': incremental_strategy insert_overwrite needs partition_by (it overwrites the partitions the new rows touch, never the whole table)
-- hint: set partition_by, or use materialized: table to rebuild the whole table

-- create schema if missing analytics

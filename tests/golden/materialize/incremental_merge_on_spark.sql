-- error: orders: incremental_strategy 'merge' needs MERGE INTO, which Spark Thrift Server 3.5.4 does not support
-- hint: use incremental_strategy 'append' or 'insert_overwrite' on this target, or run the model against Hive

-- create schema if missing analytics

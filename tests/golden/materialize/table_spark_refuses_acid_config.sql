-- error: orders: refusing to write `analytics`.`orders`: it is a transactional (ACID) table and Spark Thrift Server 3.5.4 would corrupt it for Hive
-- hint: run this node against a Hive target, or drop transactional=true from its tblproperties and rebuild it with --full-refresh on Hive

-- create schema if missing analytics

-- describe analytics.orders

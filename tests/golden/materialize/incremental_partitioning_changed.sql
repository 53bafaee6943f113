-- error: orders: partition_by (amount) differs from the table's partitions (ds)
-- hint: run with --full-refresh to rebuild the table with the new partitioning

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

-- error: orders: partition_by column 'day' is not among the model's columns
-- hint: the query returns: id, amount, ds

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders`;

-- describe analytics.orders__qdbt_src

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

-- error: orders: could not drop or retype columns (new columns channel string; missing columns amount, ds): FAILED: ALTER TABLE `analytics`.`orders` REPLACE COLUMNS (`id` bigint, `channel` string)
-- hint: this engine or file format cannot change columns in place: run with --full-refresh

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

ALTER TABLE `analytics`.`orders` REPLACE COLUMNS (`id` bigint, `channel` string);

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

-- outcome: success | OK insert | rows null | failures null

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

ALTER TABLE `analytics`.`orders` ADD COLUMNS (`channel` string COMMENT 'Sales channel');

INSERT INTO TABLE `analytics`.`orders`
SELECT `id`, CAST(NULL AS decimal(12,2)), `ds`, `channel`
FROM `analytics`.`orders__qdbt_src`;

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

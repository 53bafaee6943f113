-- outcome: success | OK insert overwrite | rows null | failures null

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

INSERT OVERWRITE TABLE `analytics`.`orders` PARTITION (`ds`='2024-01-01')
SELECT `id`, `amount`
FROM `analytics`.`orders__qdbt_src`
WHERE `ds` = '2024-01-01';

ANALYZE TABLE `analytics`.`orders` PARTITION (`ds`='2024-01-01') COMPUTE STATISTICS;

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

-- outcome: success | INSERT 300 | rows 300 | failures null

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

SELECT DISTINCT `ds` FROM `analytics`.`orders__qdbt_src`;

INSERT OVERWRITE TABLE `analytics`.`orders` PARTITION (`ds`)
SELECT `id`, `amount`, `ds`
FROM `analytics`.`orders__qdbt_src`;

ANALYZE TABLE `analytics`.`orders` PARTITION (`ds`='2024-01-02') COMPUTE STATISTICS;

ANALYZE TABLE `analytics`.`orders` PARTITION (`ds`='2024-01-03') COMPUTE STATISTICS;

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

-- outcome: success | OK created table | rows null | failures null

-- create schema if missing analytics

SET hive.exec.compress.output=true;

SET x='a;b';

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders`;

-- describe analytics.orders__qdbt_src

DROP TABLE IF EXISTS `analytics`.`orders__qdbt_tmp`;

CREATE TABLE `analytics`.`orders__qdbt_tmp` (
  `id` bigint,
  `amount` decimal(12,2),
  `ds` string
)
STORED AS PARQUET;

INSERT OVERWRITE TABLE `analytics`.`orders__qdbt_tmp`
SELECT `id`, `amount`, `ds`
FROM `analytics`.`orders__qdbt_src`;

ALTER TABLE `analytics`.`orders__qdbt_tmp` RENAME TO `analytics`.`orders`;

ANALYZE TABLE `analytics`.`orders` COMPUTE STATISTICS;

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

GRANT SELECT ON TABLE `analytics`.`orders` TO ROLE analysts;

MSCK REPAIR TABLE `analytics`.`orders`;

-- outcome: success | OK insert | rows null | failures null

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

DROP TABLE IF EXISTS `analytics`.`orders__qdbt_tmp`;

CREATE TABLE `analytics`.`orders__qdbt_tmp` (
  `id` bigint,
  `channel` string
)
STORED AS PARQUET;

INSERT OVERWRITE TABLE `analytics`.`orders__qdbt_tmp`
SELECT `id`, CAST(NULL AS string) AS `channel`
FROM `analytics`.`orders`;

DROP TABLE IF EXISTS `analytics`.`orders__qdbt_backup`;

ALTER TABLE `analytics`.`orders` RENAME TO `analytics`.`orders__qdbt_backup`;

ALTER TABLE `analytics`.`orders__qdbt_tmp` RENAME TO `analytics`.`orders`;

DROP TABLE IF EXISTS `analytics`.`orders__qdbt_backup`;

INSERT INTO TABLE `analytics`.`orders`
SELECT `id`, `channel`
FROM `analytics`.`orders__qdbt_src`;

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

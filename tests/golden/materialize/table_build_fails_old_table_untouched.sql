-- error: FAILED: INSERT OVERWRITE TABLE `analytics`.`orders__qdbt_tmp`

-- create schema if missing analytics

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

DROP TABLE IF EXISTS `analytics`.`orders__qdbt_tmp`;

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

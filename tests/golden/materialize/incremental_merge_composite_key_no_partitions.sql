-- outcome: success | OK merge | rows null | failures null

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

MERGE INTO `analytics`.`orders` AS dbt_internal_dest
USING `analytics`.`orders__qdbt_src` AS dbt_internal_source
ON dbt_internal_dest.`id` = dbt_internal_source.`id` AND dbt_internal_dest.`ds` = dbt_internal_source.`ds`
WHEN MATCHED THEN UPDATE SET `amount` = dbt_internal_source.`amount`
WHEN NOT MATCHED THEN INSERT VALUES (dbt_internal_source.`id`, dbt_internal_source.`amount`, dbt_internal_source.`ds`);

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

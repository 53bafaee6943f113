-- outcome: success | OK insert overwrite | rows null | failures null

-- create schema if missing analytics

-- describe analytics.events

DROP VIEW IF EXISTS `analytics`.`events__qdbt_src`;

CREATE VIEW `analytics`.`events__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`events`);

-- describe analytics.events__qdbt_src

INSERT OVERWRITE TABLE `analytics`.`events` PARTITION (`ds`='2024-01-01', `hr`)
SELECT `id`, `hr`
FROM `analytics`.`events__qdbt_src`
WHERE `ds` = '2024-01-01';

DROP VIEW IF EXISTS `analytics`.`events__qdbt_src`;

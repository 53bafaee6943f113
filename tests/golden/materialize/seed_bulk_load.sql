delete /tmp/qdbt/seeds/reference/cities recursive
mkdirs /tmp/qdbt/seeds/reference/cities
put /tmp/qdbt/seeds/reference/cities/data.txt (215 bytes)
delete /tmp/qdbt/seeds/reference/cities recursive

-- outcome: success | INSERT 3 | rows 3 | failures null

-- create schema if missing reference

-- describe reference.cities

DROP TABLE IF EXISTS `reference`.`cities__qdbt_stage`;

CREATE EXTERNAL TABLE `reference`.`cities__qdbt_stage` (
  `c1` string,
  `c2` string,
  `c3` string,
  `c4` string,
  `c5` string,
  `c6` string,
  `c7` string,
  `c8` string
)
STORED AS TEXTFILE
LOCATION '/tmp/qdbt/seeds/reference/cities';

DROP TABLE IF EXISTS `reference`.`cities__qdbt_tmp`;

CREATE TABLE `reference`.`cities__qdbt_tmp` (
  `id` bigint,
  `city` string COMMENT 'City name',
  `region` string,
  `opened` date,
  `active` boolean,
  `revenue` decimal(6,2),
  `note` string,
  `updated_at` timestamp
)
COMMENT 'Cities'
STORED AS PARQUET;

INSERT OVERWRITE TABLE `reference`.`cities__qdbt_tmp`
SELECT CAST(`c1` AS bigint) AS `id`, `c2` AS `city`, `c3` AS `region`, CAST(`c4` AS date) AS `opened`, (lower(`c5`) IN ('true', 't', 'yes', 'y', '1')) AS `active`, CAST(`c6` AS decimal(6,2)) AS `revenue`, CAST(unbase64(`c7`) AS STRING) AS `note`, CAST(`c8` AS timestamp) AS `updated_at`
FROM `reference`.`cities__qdbt_stage`;

ALTER TABLE `reference`.`cities__qdbt_tmp` RENAME TO `reference`.`cities`;

DROP TABLE IF EXISTS `reference`.`cities__qdbt_stage`;

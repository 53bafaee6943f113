delete /user/qdbt/staging/analytics/codes recursive
mkdirs /user/qdbt/staging/analytics/codes
put /user/qdbt/staging/analytics/codes/data.txt (19 bytes)
delete /user/qdbt/staging/analytics/codes recursive

-- outcome: success | INSERT 2 | rows 2 | failures null

-- create schema if missing analytics

-- describe analytics.codes

DROP TABLE IF EXISTS `analytics`.`codes__qdbt_stage`;

CREATE EXTERNAL TABLE `analytics`.`codes__qdbt_stage` (
  `c1` string,
  `c2` string,
  `c3` string
)
STORED AS TEXTFILE
LOCATION '/user/qdbt/staging/analytics/codes';

DROP TABLE IF EXISTS `analytics`.`codes__qdbt_tmp`;

CREATE TABLE `analytics`.`codes__qdbt_tmp` (
  `code` string,
  `amount` int,
  `flag` boolean
)
STORED AS ORC;

INSERT OVERWRITE TABLE `analytics`.`codes__qdbt_tmp`
SELECT `c1` AS `code`, CAST(`c2` AS int) AS `amount`, (lower(`c3`) IN ('true', 't', 'yes', 'y', '1')) AS `flag`
FROM `analytics`.`codes__qdbt_stage`;

DROP TABLE IF EXISTS `analytics`.`codes__qdbt_backup`;

ALTER TABLE `analytics`.`codes` RENAME TO `analytics`.`codes__qdbt_backup`;

ALTER TABLE `analytics`.`codes__qdbt_tmp` RENAME TO `analytics`.`codes`;

DROP TABLE IF EXISTS `analytics`.`codes__qdbt_backup`;

DROP TABLE IF EXISTS `analytics`.`codes__qdbt_stage`;

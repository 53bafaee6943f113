-- outcome: success | OK created view | rows null | failures null

-- create schema if missing analytics

-- list analytics

CREATE OR REPLACE VIEW `analytics`.`orders` AS
select id, amount, ds from `raw`.`orders`;

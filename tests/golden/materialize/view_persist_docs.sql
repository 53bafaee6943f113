-- outcome: success | OK created view | rows null | failures null

-- create schema if missing analytics

-- list analytics

CREATE OR REPLACE VIEW `analytics`.`orders` COMMENT 'Orders, one row each; it\'s \'clean\'' AS
select id, amount, ds from `raw`.`orders`;

-- describe analytics.orders

CREATE OR REPLACE VIEW `analytics`.`orders` (`id` COMMENT 'Order id', `amount` COMMENT 'Total\nin EUR', `ds`) COMMENT 'Orders, one row each; it\'s \'clean\'' AS
select id, amount, ds from `raw`.`orders`;

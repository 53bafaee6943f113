-- error: orders: the model's columns changed (new columns channel string; missing columns amount) and on_schema_change is 'fail'
-- hint: run with --full-refresh to rebuild the table, or set on_schema_change to 'append_new_columns' or 'sync_all_columns'

-- create schema if missing analytics

-- describe analytics.orders

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

CREATE VIEW `analytics`.`orders__qdbt_src` AS
select id, amount, ds from `raw`.`orders` where ds > (select max(ds) from `analytics`.`orders`);

-- describe analytics.orders__qdbt_src

DROP VIEW IF EXISTS `analytics`.`orders__qdbt_src`;

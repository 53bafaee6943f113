-- outcome: fail | FAIL 2 | rows null | failures 2

-- create schema if missing analytics_dbt_test__audit

DROP TABLE IF EXISTS `analytics_dbt_test__audit`.`not_null_orders_id`;

CREATE TABLE `analytics_dbt_test__audit`.`not_null_orders_id`
STORED AS PARQUET
AS
select id
from `analytics`.`orders`
where id is null;

select
  count(*) as failures,
  count(*) != 0 as should_warn,
  count(*) != 0 as should_error
from (
select * from `analytics_dbt_test__audit`.`not_null_orders_id`
) dbt_internal_test;

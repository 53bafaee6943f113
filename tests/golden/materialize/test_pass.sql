-- outcome: pass | PASS | rows null | failures 0

select
  count(*) as failures,
  count(*) != 0 as should_warn,
  count(*) != 0 as should_error
from (
select id
from `analytics`.`orders`
where id is null
) dbt_internal_test;

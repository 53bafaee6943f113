-- outcome: warn | WARN 12 | rows null | failures 12

select
  sum(n_records) as failures,
  sum(n_records) > 10 as should_warn,
  sum(n_records) > 100 as should_error
from (
select * from (
select id, count(*) as n_records from t group by id having count(*) > 1
) dbt_limited limit 500
) dbt_internal_test;

with dbt__cte__std_branches as (
select
  cast(branch_id as bigint) as branch_id,
  initcap(trim(city)) as city,
  to_date(from_unixtime(unix_timestamp(cast(establish_date as string), 'yyyy-M-d'))) as establish_date,
  upper(trim(class)) as branch_class
from `qcompany_staging`.`stg_branches`
)
select b.branch_id, b.city, b.establish_date, b.branch_class, r.region
from dbt__cte__std_branches b
left join `qcompany_reference`.`city_regions` r on lower(b.city) = lower(r.city)


select
  cast(branch_id as bigint) as branch_id,
  initcap(trim(city)) as city,
  to_date(from_unixtime(unix_timestamp(cast(establish_date as string), 'yyyy-M-d'))) as establish_date,
  upper(trim(class)) as branch_class
from `qcompany_staging`.`stg_branches`
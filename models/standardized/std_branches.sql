{{ config(materialized='ephemeral') }}

select
  cast(branch_id as bigint) as branch_id,
  initcap(trim(city)) as city,
  {{ parse_loose_date('establish_date') }} as establish_date,
  upper(trim(class)) as branch_class
from {{ ref('stg_branches') }}

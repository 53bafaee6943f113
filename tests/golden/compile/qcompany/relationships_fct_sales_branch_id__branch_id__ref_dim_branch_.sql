with child as (
  select branch_id as from_field
  from `qcompany_conformed`.`fct_sales`
  where branch_id is not null
),
parent as (
  select branch_id as to_field
  from `qcompany_conformed`.`dim_branch`
)
select from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
with all_values as (
  select branch_class as value_field, count(*) as n_records
  from `qcompany_conformed`.`dim_branch`
  group by branch_class
)
select * from all_values
where value_field not in ('A', 'B', 'C')
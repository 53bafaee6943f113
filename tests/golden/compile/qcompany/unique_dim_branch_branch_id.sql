select branch_id as unique_field, count(*) as n_records
from `qcompany_conformed`.`dim_branch`
where branch_id is not null
group by branch_id
having count(*) > 1
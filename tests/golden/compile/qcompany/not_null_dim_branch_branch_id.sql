select branch_id
from `qcompany_conformed`.`dim_branch`
where branch_id is null
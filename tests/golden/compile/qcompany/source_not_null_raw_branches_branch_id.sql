select branch_id
from `qcompany_raw`.`branches`
where branch_id is null
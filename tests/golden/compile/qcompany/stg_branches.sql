select branch_id, location as city, establish_date, class
from `qcompany_raw`.`branches`
select sales_person_id as sales_agent_id, name as agent_name, hire_date
from `qcompany_raw`.`sales_agents`
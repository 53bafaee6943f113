select product_id, product_name, product_category, sum(units) as units_sold, sum(total_amount) as revenue
from `qcompany_conformed`.`fct_sales`
group by product_id, product_name, product_category
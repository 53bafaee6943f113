-- Singular data test: a product never brings negative revenue.
select product_id, revenue
from `qcompany_enriched`.`most_selling_products`
where revenue < 0
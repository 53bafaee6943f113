select product_id
from `qcompany_enriched`.`most_selling_products`
where product_id is null
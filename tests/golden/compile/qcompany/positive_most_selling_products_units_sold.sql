select units_sold
from `qcompany_enriched`.`most_selling_products`
where units_sold <= 0
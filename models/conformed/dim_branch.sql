select b.branch_id, b.city, b.establish_date, b.branch_class, r.region
from {{ ref('std_branches') }} b
left join {{ ref('city_regions') }} r on lower(b.city) = lower(r.city)

select branch_id, location as city, establish_date, class
from {{ source('raw', 'branches') }}

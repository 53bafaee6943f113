select
    a,
    b
from t

kept block newlines
   trimmed both sides   end
{{ not rendered }}

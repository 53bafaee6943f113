select
    {%- for c in ['a', 'b'] %}
    {{ c }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from t
{% if true %}
kept block newlines
{% endif %}
{#- comment -#}
  {{- '   trimmed both sides   ' -}}  
end
{% raw %}{{ not rendered }}{% endraw %}

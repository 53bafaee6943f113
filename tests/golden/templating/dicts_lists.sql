{%- set d = {'b': 2, 'a': 1} -%}
items={% for k, v in d.items() %}{{ k }}:{{ v }} {% endfor %}
keys={{ d.keys() | list }} values={{ d.values() | list }}
get={{ d.get('a') }} get_missing={{ d.get('zz') }} get_default={{ d.get('zz', 'dflt') }}
iterate_dict={% for k in d %}{{ k }}{% endfor %}
pop={{ d.pop('b') }} after_pop={{ d }}
setdefault={{ d.setdefault('c', 3) }} {{ d }}
in_dict={{ 'a' in d }} not_in={{ 'q' not in d }}
{%- set l = [3, 1, 2] %}
{%- do l.sort() %}
sorted={{ l }} pop={{ l.pop() }} index={{ l.index(2) }} neg={{ l[-1] }}
concat={{ [1] + [2, 3] }} repeat={{ '-' * 5 }} {{ [0] * 3 }}
eq_lists={{ [1, 2] == [1, 2] }} eq_dicts={{ {'a': 1} == {'a': 1} }} loose={{ 1 == '1' }}
chained={{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}
mod={{ -7 % 3 }} floordiv={{ 7 // 2 }} pow={{ 2 ** 10 }}

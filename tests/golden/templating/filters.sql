tojson={{ {'b': [1, 2], 'a': none, 'c': 'it\'s <x>'} | tojson }}
tojson_unsorted={{ {'b': 1, 'a': 2} | tojson(sort_keys=false) }}
tojson_indent={{ {'b': 1, 'a': [true]} | tojson(indent=2) }}
tojson_global={{ tojson({'b': 1, 'a': 2}) }} {{ tojson({'b': 1, 'a': 2}, sort_keys=true) }}
fromjson={{ fromjson('{"k": [1, 2]}').k[1] }}
map_attr={{ [{'name': 'a'}, {'name': 'b'}] | map(attribute='name') | join(',') }}
map_filter={{ ['a', 'b'] | map('upper') | list }}
items={{ {'x': 1, 'y': 2} | items | list }}
unique={{ ['a', 'A', 'b', 'a'] | unique | list }} unique_cs={{ ['a', 'A', 'b', 'a'] | unique(case_sensitive=true) | list }}
format={{ '%s=%s' | format('k', 1) }}
list={{ 'abc' | list }} {{ {'k': 1} | list }}
string={{ none | string }} {{ true | string }} {{ [1, 'a'] | string }}
int={{ '42' | int }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ true | int }}
float={{ '1.5' | float }} {{ 'x' | float }}
bool={{ 'true' | bool }} {{ 'no' | bool }} {{ 1 | bool }} {{ [] | bool }}
default={{ undefined_name | default('fallback') }} {{ none | default('kept-none') }} {{ '' | default('empty', true) }}
selectattr={{ [{'n': 'a', 'on': true}, {'n': 'b', 'on': false}] | selectattr('on') | map(attribute='n') | list }}
selectattr_test={{ [{'n': 1}, {'n': 2}] | selectattr('n', 'equalto', 2) | map(attribute='n') | list }}
rejectattr={{ [{'n': 'a', 'on': true}, {'n': 'b', 'on': false}] | rejectattr('on') | map(attribute='n') | list }}
sort={{ [{'n': 'b'}, {'n': 'a'}] | sort(attribute='n') | map(attribute='n') | join }}
min_max={{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} sum={{ [1, 2, 3] | sum }}
first_last={{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} length={{ [1, 2] | length }} {{ {'a': 1} | length }}
replace={{ 'a-b-c' | replace('-', '+') }} trim={{ '  x  ' | trim }} lower={{ 'ABC' | lower }} title={{ 'hello world' | title }}

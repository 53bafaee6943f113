{%- set n = none -%}
none={{ n is none }} {{ 1 is none }} {{ None is none }}
string={{ 'x' is string }} {{ 1 is string }} {{ cents_to_dollars('x') is string }}
mapping={{ {} is mapping }} {{ [] is mapping }}
iterable={{ [] is iterable }} {{ 1 is iterable }}
number={{ 1 is number }} {{ 1 is integer }} {{ 1.5 is float }}
boolean={{ True is boolean }} {{ true is sameas true }}
defined={{ nothing_here is defined }} {{ nothing_here is not defined }} {{ n is defined }}
in={{ 'a' is in ['a'] }} {{ 'a' in ['a'] }} {{ 'b' not in ['a'] }} {{ 'ell' in 'hello' }}
literals={{ True }} {{ False }} {{ None }} {{ true }} {{ false }} {{ none }}
truthiness={% if [] %}list{% elif {} %}dict{% elif '' %}str{% elif 0 %}zero{% else %}all-false{% endif %}
or={{ [] or 'fallback' }} and={{ 'x' and 'y' }} not={{ not [] }}
inline={{ 'yes' if [1] else 'no' }}
concat={{ 'a' ~ 1 ~ none ~ true }}

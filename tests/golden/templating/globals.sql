var={{ var('start_date') }} var_default={{ var('missing', 'dflt') }} has_var={{ var.has_var('start_date') }}
env_var={{ env_var('QDBT_TEST_USER') }} env_default={{ env_var('QDBT_NOPE', 'anon') }}
target={{ target.name }}.{{ target.schema }}
invocation_id={{ invocation_id }}
run_started_at={{ run_started_at }} {{ run_started_at.strftime('%Y-%m-%d %H:%M') }} {{ run_started_at.isoformat() }}
yesterday={{ (run_started_at - modules.datetime.timedelta(days=1)).strftime('%Y%m%d') }}
datetime={{ modules.datetime.datetime(2024, 2, 29, 13, 5).strftime('%A %d %B %Y %I:%M %p') }} {{ modules.datetime.date(2024, 1, 31) + modules.datetime.timedelta(days=1) }}
re={{ modules.re.sub('[^a-z]+', '_', 'Hello World!') }} {{ modules.re.match('(\\w+)_(\\d+)', 'stg_42').group(2) }} {{ modules.re.search('x', 'abc') is none }}
zip={% for a, b in zip(['a', 'b'], [1, 2]) %}{{ a }}{{ b }} {% endfor %}
range={{ range(3) }} {{ range(1, 10, 3) }}
dict={{ dict(a=1, b='x') | tojson }}
log={{ log('hello from the template', info=True) }}{% do exceptions.warn('careful') %}
loop={% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}
loop_vars={% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}
local_md5={{ local_md5('qdbt') }}

var=2024-01-01 var_default=dflt has_var=True
env_var=ci env_default=anon
target=dev.analytics
invocation_id=00000000-0000-4000-8000-000000000000
run_started_at=2024-05-06 07:08:09.123000+00:00 2024-05-06 07:08 2024-05-06T07:08:09.123000+00:00
yesterday=20240505
datetime=Thursday 29 February 2024 01:05 PM 2024-02-01
re=_ello_orld_ 42 True
zip=a1 b2 
range=[0, 1, 2] [1, 4, 7]
dict={"a": 1, "b": "x"}
log=
loop=0134
loop_vars=1TrueFalse3 2FalseFalse3 3FalseTrue3 
local_md5=a729f1af8414715636604d81694edabc

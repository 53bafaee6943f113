upper=  HELLO, WORLD  |
lower=  hello, world  |
strip=Hello, World|lstrip=Hello, World  |rstrip=  Hello, World|
strip_chars=hi
replace_all=a_b_c replace_count=a_b-c
split=['a', 'b', '', 'c'] split_ws=['a', 'b', 'c'] maxsplit=['a', 'b.c']
title=They'Re Bill'S Friends capitalize=Hello world
startswith=True True endswith=False
format=a_1 r-r     ab|3.14|1,234,567
join=a, b
count=3 find=2 find_missing=-1
zfill=00042 isdigit=True False
index=ac
percent=Ann is 42 years, 99.50% 1-2
macro_result_methods=(X / 100)::DECIMAL(16, 2)

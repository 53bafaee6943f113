{%- set s = '  Hello, World  ' -%}
upper={{ s.upper() }}|
lower={{ s.lower() }}|
strip={{ s.strip() }}|lstrip={{ s.lstrip() }}|rstrip={{ s.rstrip() }}|
strip_chars={{ 'xxhixx'.strip('x') }}
replace_all={{ 'a-b-c'.replace('-', '_') }} replace_count={{ 'a-b-c'.replace('-', '_', 1) }}
split={{ 'a,b,,c'.split(',') }} split_ws={{ '  a  b c '.split() }} maxsplit={{ 'a.b.c'.split('.', 1) }}
title={{ "they're bill's friends".title() }} capitalize={{ 'hELLO wORLD'.capitalize() }}
startswith={{ 'stg_orders'.startswith('stg_') }} {{ 'stg_orders'.startswith(('int_', 'stg_')) }} endswith={{ 'x.sql'.endswith('.csv') }}
format={{ '{}_{}'.format('a', 1) }} {{ '{0}-{0}'.format('r') }} {{ '{name:>6}|{v:.2f}|{n:,}'.format(name='ab', v=3.14159, n=1234567) }}
join={{ ', '.join(['a', 'b']) }}
count={{ 'banana'.count('a') }} find={{ 'banana'.find('n') }} find_missing={{ 'banana'.find('z') }}
zfill={{ '42'.zfill(5) }} isdigit={{ '123'.isdigit() }} {{ '12a'.isdigit() }}
index={{ 'abc'[0] }}{{ 'abc'[-1] }}
percent={{ '%s is %d years, %.2f%%' % ('Ann', 42, 99.5) }} {{ '%(a)s-%(b)s' % {'a': 1, 'b': 2} }}
macro_result_methods={{ cents_to_dollars('x').strip().upper() }}

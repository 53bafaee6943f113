items=b:2 a:1 
keys=['b', 'a'] values=[2, 1]
get=1 get_missing=None get_default=dflt
iterate_dict=ba
pop=2 after_pop={'a': 1}
setdefault=3 {'a': 1, 'c': 3}
in_dict=True not_in=True
sorted=[1, 2, 3] pop=3 index=1 neg=2
concat=[1, 2, 3] repeat=----- [0, 0, 0]
eq_lists=True eq_dicts=True loose=False
chained=True False
mod=2 floordiv=3 pow=1024

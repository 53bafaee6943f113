tojson={"a": null, "b": [1, 2], "c": "it\u0027s \u003cx\u003e"}
tojson_unsorted={"b": 1, "a": 2}
tojson_indent={
  "a": [
    true
  ],
  "b": 1
}
tojson_global={"b": 1, "a": 2} {"a": 2, "b": 1}
fromjson=2
map_attr=a,b
map_filter=['A', 'B']
items=[['x', 1], ['y', 2]]
unique=['a', 'b'] unique_cs=['a', 'A', 'b']
format=k=1
list=['a', 'b', 'c'] ['k']
string=None True [1, 'a']
int=42 4 0 7 1
float=1.5 0
bool=True False True False
default=fallback None empty
selectattr=['a']
selectattr_test=[2]
rejectattr=['b']
sort=ab
min_max=1 3 sum=6
first_last=1 3 length=2 1
replace=a+b+c trim=x lower=abc title=Hello World

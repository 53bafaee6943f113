none=True False True
string=True False True
mapping=True False
iterable=True False
number=True True True
boolean=True True
defined=False True True
in=True True True True
literals=True False None True False None
truthiness=all-false
or=fallback and=y not=True
inline=yes
concat=a1NoneTrue

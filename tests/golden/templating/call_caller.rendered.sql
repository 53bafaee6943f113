<b>bold 2</b>
1=X, 2=Y, 3=Z

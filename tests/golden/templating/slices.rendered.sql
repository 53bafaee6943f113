select name, amount from current_src
-- last two: amount, updated_at
-- reversed: updated_at, amount, name, id
-- every other: id, amount
-- prefix cut: orders
-- reversed string: cba
-- out of range: [] ['id']
-- index still works: id updated_at 1
-- in an expression: 3

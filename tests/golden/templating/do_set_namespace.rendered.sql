-- generated: a, b, c
select 10 as total, '[10, 20, 30, 40]' as seen, {"x": 1, "y": 2, "z": 3} as opts
-- left / right
-- tuple [1, 2] 2

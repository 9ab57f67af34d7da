; print(x)  /  table.insert(t, v)  /  self:sort()
(function_call name: (identifier) @call.name)
(function_call name: (dot_index_expression table: (_) @call.qualifier field: (identifier) @call.name))
(function_call name: (method_index_expression table: (_) @call.qualifier method: (identifier) @call.name))

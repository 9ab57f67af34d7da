; Lua: functions; `function M.f()` and `function M:f()` are methods of table M (through
; @receiver); `local f = function() end` and `M.f = function() end` are definitions too.
(function_declaration name: (identifier) @name body: (_)? @body) @definition.function
(function_declaration
  name: (dot_index_expression table: (identifier) @receiver field: (identifier) @name)
  body: (_)? @body) @definition.method
(function_declaration
  name: (method_index_expression table: (identifier) @receiver method: (identifier) @name)
  body: (_)? @body) @definition.method

; local on_error = function(err) ... end
(variable_declaration
  (assignment_statement
    (variable_list . name: (identifier) @name .)
    (expression_list . value: (function_definition body: (_)? @body) .))) @definition.function

; M.handler = function(req) ... end
(assignment_statement
  (variable_list . name: (dot_index_expression table: (identifier) @receiver field: (identifier) @name) .)
  (expression_list . value: (function_definition body: (_)? @body) .)) @definition.method

(comment) @comment

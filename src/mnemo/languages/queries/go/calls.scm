; f()
(call_expression function: (identifier) @call.name)

; pkg.F()  /  s.run()  /  a.b.c()
(call_expression
  function: (selector_expression operand: (_) @call.qualifier field: (field_identifier) @call.name))

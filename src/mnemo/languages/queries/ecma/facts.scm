; Facts for receiver types, shared by JavaScript and TypeScript (see queries/README.md, facts.scm).
; A binding's scope is the innermost definition holding its @fact.name: a function's local, a
; class's field (class body), or the module's. @fact.field marks `this.x = …` inside a method.

; const x = new C()  /  const x = f()  /  const x = y
(variable_declarator name: (identifier) @fact.name value: (new_expression constructor: (_) @fact.new))
(variable_declarator name: (identifier) @fact.name value: (call_expression function: (_) @fact.call))
(variable_declarator name: (identifier) @fact.name value: (await_expression (call_expression function: (_) @fact.call)))
(variable_declarator name: (identifier) @fact.name value: [(identifier) (member_expression)] @fact.alias)
(assignment_expression left: (identifier) @fact.name right: (new_expression constructor: (_) @fact.new))

; this.x = new C()  /  this.x = f()  /  this.x = y
(assignment_expression
  left: (member_expression object: (this) property: [(property_identifier) (private_property_identifier)] @fact.name)
  right: (new_expression constructor: (_) @fact.new)) @fact.field
(assignment_expression
  left: (member_expression object: (this) property: [(property_identifier) (private_property_identifier)] @fact.name)
  right: (call_expression function: (_) @fact.call)) @fact.field
(assignment_expression
  left: (member_expression object: (this) property: [(property_identifier) (private_property_identifier)] @fact.name)
  right: [(identifier) (member_expression)] @fact.alias) @fact.field

; for (const x of xs): x is an element of xs
(for_in_statement left: (identifier) @fact.name operator: "of" right: [(identifier) (member_expression) (call_expression)] @fact.element)

; Object literals: `const z = { ...ns, a: f, b }` (calls `z.a()` go to f) and the object a
; function returns (`return { batch, schedule }`: `factory().batch()` goes to the factory).
(variable_declarator name: (identifier) @fact.name value: (object) @fact.object)
(return_statement (object) @fact.object)
(arrow_function body: (parenthesized_expression (object) @fact.object))

; const { x } = this / obj: x is the member x of it
(variable_declarator name: (object_pattern (shorthand_property_identifier_pattern) @fact.name)
  value: [(this) (identifier) (member_expression)] @fact.destructured)

; x instanceof C: x may be a C (flow-insensitive, like every binding here)
(binary_expression left: (identifier) @fact.name operator: "instanceof" right: [(identifier) (member_expression)] @fact.new)

; A named function nested in a function's body (declaration, generator, `const f = () => …`): a
; node of its own (qualified outer.inner, no chunk)
(function_declaration body: (statement_block [(function_declaration name: (identifier) @fact.nested)
  (generator_function_declaration name: (identifier) @fact.nested)] @fact.span))
(function_declaration body: (statement_block [(lexical_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)
  (variable_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)]))
(generator_function_declaration body: (statement_block [(function_declaration name: (identifier) @fact.nested)
  (generator_function_declaration name: (identifier) @fact.nested)] @fact.span))
(generator_function_declaration body: (statement_block [(lexical_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)
  (variable_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)]))
(method_definition body: (statement_block [(function_declaration name: (identifier) @fact.nested)
  (generator_function_declaration name: (identifier) @fact.nested)] @fact.span))
(method_definition body: (statement_block [(lexical_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)
  (variable_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)]))
(arrow_function body: (statement_block [(function_declaration name: (identifier) @fact.nested)
  (generator_function_declaration name: (identifier) @fact.nested)] @fact.span))
(arrow_function body: (statement_block [(lexical_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)
  (variable_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)]))
(function_expression body: (statement_block [(function_declaration name: (identifier) @fact.nested)
  (generator_function_declaration name: (identifier) @fact.nested)] @fact.span))
(function_expression body: (statement_block [(lexical_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)
  (variable_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)]))
(generator_function body: (statement_block [(function_declaration name: (identifier) @fact.nested)
  (generator_function_declaration name: (identifier) @fact.nested)] @fact.span))
(generator_function body: (statement_block [(lexical_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)
  (variable_declaration (variable_declarator name: (identifier) @fact.nested value: [(arrow_function) (function_expression) (generator_function)]) @fact.span)]))

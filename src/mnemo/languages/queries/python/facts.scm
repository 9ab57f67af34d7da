; Facts for receiver types (see queries/README.md, facts.scm). A binding's scope is the innermost
; definition holding its @fact.name: a function's local, a class's attribute (class body), or the
; module's. @fact.field marks `self.x = …` inside a method.

(typed_parameter (identifier) @fact.name type: (type) @fact.type)
(typed_default_parameter name: (identifier) @fact.name type: (type) @fact.type)
(assignment left: (identifier) @fact.name type: (type) @fact.type)
(assignment left: (identifier) @fact.name right: (call function: [(identifier) (attribute)] @fact.call))
(assignment left: (identifier) @fact.name right: (await (call function: [(identifier) (attribute)] @fact.call)))
(assignment left: (identifier) @fact.name right: [(identifier) (attribute)] @fact.alias)
(with_item value: (as_pattern (call function: [(identifier) (attribute)] @fact.call)
  alias: (as_pattern_target (identifier) @fact.name)))

; self.x = C()  /  self.x: T = …  /  self.x = y
((assignment left: (attribute object: (identifier) @_self attribute: (identifier) @fact.name)
   right: (call function: [(identifier) (attribute)] @fact.call)) @fact.field
 (#eq? @_self "self"))
((assignment left: (attribute object: (identifier) @_self attribute: (identifier) @fact.name)
   type: (type) @fact.type) @fact.field
 (#eq? @_self "self"))
((assignment left: (attribute object: (identifier) @_self attribute: (identifier) @fact.name)
   right: [(identifier) (attribute)] @fact.alias) @fact.field
 (#eq? @_self "self"))

(function_definition name: (identifier) @fact.returns return_type: (type) @fact.type)

; for x in xs / [… for x in xs]: x is an element of xs (a name, a member chain or a call's result)
(for_statement left: (identifier) @fact.name right: [(identifier) (attribute) (call)] @fact.element)
(for_in_clause left: (identifier) @fact.name right: [(identifier) (attribute) (call)] @fact.element)

; handlers = {"a": f, "b": g}: `handlers["a"]()` / `handlers.a` dispatch (dict of functions)
(assignment left: (identifier) @fact.name right: (dictionary) @fact.object)

; isinstance(x, C): x may be a C
((call function: (identifier) @_isinstance
   arguments: (argument_list . (identifier) @fact.name . [(identifier) (attribute)] @fact.new))
 (#eq? @_isinstance "isinstance"))

; A def nested in a function's body: a node of its own (qualified outer.inner, no chunk)
(function_definition body: (block (function_definition name: (identifier) @fact.nested) @fact.span))
(function_definition body: (block (decorated_definition
  definition: (function_definition name: (identifier) @fact.nested)) @fact.span))

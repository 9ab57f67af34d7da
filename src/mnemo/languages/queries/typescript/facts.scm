; inherits: ecma
; Declared types: parameters, variables, class fields (and constructor parameter properties),
; interface properties, return types.

(required_parameter pattern: (identifier) @fact.name type: (type_annotation (_) @fact.type))
(optional_parameter pattern: (identifier) @fact.name type: (type_annotation (_) @fact.type))
(required_parameter (accessibility_modifier) pattern: (identifier) @fact.name
  type: (type_annotation (_) @fact.type)) @fact.field
(optional_parameter (accessibility_modifier) pattern: (identifier) @fact.name
  type: (type_annotation (_) @fact.type)) @fact.field
(variable_declarator name: (identifier) @fact.name type: (type_annotation (_) @fact.type))
(public_field_definition name: [(property_identifier) (private_property_identifier)] @fact.name type: (type_annotation (_) @fact.type))
(public_field_definition name: [(property_identifier) (private_property_identifier)] @fact.name value: (new_expression constructor: (_) @fact.new))
(public_field_definition name: [(property_identifier) (private_property_identifier)] @fact.name value: (call_expression function: (_) @fact.call))
(property_signature name: (property_identifier) @fact.name type: (type_annotation (_) @fact.type))

(function_declaration name: (identifier) @fact.returns return_type: (type_annotation (_) @fact.type))
(function_signature name: (identifier) @fact.returns return_type: (type_annotation (_) @fact.type))
(method_definition name: [(property_identifier) (private_property_identifier)] @fact.returns return_type: (type_annotation (_) @fact.type))
(method_signature name: (property_identifier) @fact.returns return_type: (type_annotation (_) @fact.type))
(abstract_method_signature name: (property_identifier) @fact.returns return_type: (type_annotation (_) @fact.type))

; Callbacks: an untyped parameter of an arrow function passed as an argument takes its type from
; the callee's declared parameter (`operate((source, subscriber) => …)`); the callee side records
; its function-typed parameters.
(arguments (arrow_function) @fact.callback)
(arguments (function_expression) @fact.callback)
(function_declaration name: (identifier) @fact.signature parameters: (formal_parameters) @fact.parameters)
(function_signature name: (identifier) @fact.signature parameters: (formal_parameters) @fact.parameters)
(method_definition name: (property_identifier) @fact.signature parameters: (formal_parameters) @fact.parameters)

; Interface members and abstract methods: nodes of their own (no chunk), so a call through an
; interface has a target and reaches the implementations as dispatch edges.
(interface_body (method_signature name: (property_identifier) @fact.member))
(interface_body (property_signature name: (property_identifier) @fact.member
  type: (type_annotation (function_type))))
(class_body (abstract_method_signature name: (property_identifier) @fact.member))

; Type parameters: `<T extends C = D>` stands for C (else D) where no argument says otherwise.
(type_parameter name: (type_identifier) @fact.name constraint: (constraint (_) @fact.type)) @fact.generic
(type_parameter name: (type_identifier) @fact.name value: (default_type (_) @fact.type)) @fact.generic

; `return { … } as const` / `const z = { … } satisfies T`
(return_statement [(as_expression (object) @fact.object) (satisfies_expression (object) @fact.object)])
(variable_declarator name: (identifier) @fact.name
  value: [(as_expression (object) @fact.object) (satisfies_expression (object) @fact.object)])

; const x = y as C: x has the asserted type
(variable_declarator name: (identifier) @fact.name value: (as_expression (_) (_) @fact.type))

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
(public_field_definition name: (property_identifier) @fact.name type: (type_annotation (_) @fact.type))
(public_field_definition name: (property_identifier) @fact.name value: (new_expression constructor: (_) @fact.new))
(public_field_definition name: (property_identifier) @fact.name value: (call_expression function: (_) @fact.call))
(property_signature name: (property_identifier) @fact.name type: (type_annotation (_) @fact.type))

(function_declaration name: (identifier) @fact.returns return_type: (type_annotation (_) @fact.type))
(function_signature name: (identifier) @fact.returns return_type: (type_annotation (_) @fact.type))
(method_definition name: (property_identifier) @fact.returns return_type: (type_annotation (_) @fact.type))
(method_signature name: (property_identifier) @fact.returns return_type: (type_annotation (_) @fact.type))
(abstract_method_signature name: (property_identifier) @fact.returns return_type: (type_annotation (_) @fact.type))

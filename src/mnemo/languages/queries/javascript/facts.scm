; inherits: ecma
; class fields: `x = new C()`
(field_definition property: [(property_identifier) (private_property_identifier)] @fact.name value: (new_expression constructor: (_) @fact.new))

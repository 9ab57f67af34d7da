; inherits: c
; std::printf()  /  Foo::Create()  (the scope becomes the qualifier: "std")
(call_expression function: (qualified_identifier scope: (_) @call.qualifier name: (identifier) @call.name))
(call_expression function: (template_function name: (identifier) @call.name))
(call_expression function: (field_expression argument: (this) @call.qualifier field: (field_identifier) @call.name))
; new Widget(...)
(new_expression type: (type_identifier) @call.name)

; f()  /  self.x.go()  /  Foo::new()  (`::` paths become dotted qualifiers)
(call_expression function: (identifier) @call.name)
(call_expression function: (field_expression value: (_) @call.qualifier field: (field_identifier) @call.name))
(call_expression function: (scoped_identifier path: (_) @call.qualifier name: (identifier) @call.name))

; f()  /  obj.f()  /  obj->f()  (only a plain identifier as the receiver; `a->b->f()` keeps just the name)
(call_expression function: (identifier) @call.name)
(call_expression function: (field_expression argument: (identifier) @call.qualifier field: (field_identifier) @call.name))
(call_expression function: (field_expression argument: (field_expression) field: (field_identifier) @call.name))

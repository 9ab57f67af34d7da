; f(x)  /  parser.parse(x)  /  Printer.noSpaces.print(this)  /  f[A](x)  /  new Decoder[A] {}
(call_expression function: (identifier) @call.name)
(call_expression function: (field_expression value: (_) @call.qualifier field: (identifier) @call.name))
(call_expression function: (generic_function function: (identifier) @call.name))
(instance_expression . [(type_identifier) @call.name (generic_type type: (type_identifier) @call.name)])

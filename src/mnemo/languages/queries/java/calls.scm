; run()  /  helper.fmt()  /  this.save()  /  super.init()
(method_invocation !object name: (identifier) @call.name)
(method_invocation object: (_) @call.qualifier name: (identifier) @call.name)

; new Thing()  /  new pkg.Thing()  /  new Box<T>()
(object_creation_expression type: [(type_identifier) @call.name (generic_type . (type_identifier) @call.name)])
(object_creation_expression
  type: (scoped_type_identifier . (_) @call.qualifier . (type_identifier) @call.name))

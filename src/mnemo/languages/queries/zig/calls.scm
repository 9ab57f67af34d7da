; helper()  /  mem.copy(...)  /  self.ensureCapacity(1)  /  std.debug.print(...)
(call_expression function: (identifier) @call.name)
(call_expression function: (field_expression object: (_) @call.qualifier member: (identifier) @call.name))

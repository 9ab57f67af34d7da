; f()
(call function: (identifier) @call.name)

; a.b.c()  /  self.save()
(call function: (attribute object: (_) @call.qualifier attribute: (identifier) @call.name))

; super().save()  → qualifier "super"
(call
  function: (attribute
    object: (call function: (identifier) @call.qualifier)
    attribute: (identifier) @call.name)
  (#eq? @call.qualifier "super"))

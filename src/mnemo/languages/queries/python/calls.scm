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

; @decorator / @pkg.decorator (a decorator written as a call, @make(), is a call above)
(decorator (identifier) @call.name)
(decorator (attribute object: (_) @call.qualifier attribute: (identifier) @call.name))

; raise C  (instantiates C)
(raise_statement (identifier) @call.name)

; handlers["save"]()  → name "save" on qualifier "handlers" (a dict of functions: see facts.scm)
(call function: (subscript value: [(identifier) (attribute)] @call.qualifier
                           subscript: (string (string_content) @call.name)))

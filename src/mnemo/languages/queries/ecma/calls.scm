; Calls shared by JavaScript and TypeScript. The qualifier is the text left of the last member
; access; anything that is not an identifier/member chain (a call, an index) is discarded later.

; f()
(call_expression function: (identifier) @call.name)

; a.b.c()  /  this.save()  /  super.init()  /  this.#secret()  /  a?.b()
(call_expression
  function: (member_expression
    object: (_) @call.qualifier
    property: [(property_identifier) (private_property_identifier)] @call.name))

; new Foo()  /  new ns.Foo()
(new_expression constructor: (identifier) @call.name)
(new_expression
  constructor: (member_expression object: (_) @call.qualifier property: (property_identifier) @call.name))

; super(...) in a constructor
(call_expression function: (super) @call.name)

; handlers["save"]()  → name "save" on qualifier "handlers" (an object of functions)
(call_expression function: (subscript_expression object: [(identifier) (member_expression)] @call.qualifier
                                                 index: (string (string_fragment) @call.name)))

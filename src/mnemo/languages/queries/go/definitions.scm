; func F() {}
(function_declaration name: (identifier) @name body: (_) @body) @definition.function

; func (s *Server) Start() {}  → Server.Start
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [
        (type_identifier) @receiver
        (pointer_type (type_identifier) @receiver)
        (generic_type type: (type_identifier) @receiver)
        (pointer_type (generic_type type: (type_identifier) @receiver))
      ]))
  name: (field_identifier) @name
  body: (_) @body) @definition.method

; type S struct {}  /  type I interface {}  /  type ID string  /  type ID = string
(type_spec name: (type_identifier) @name type: (struct_type (field_declaration_list) @body)) @definition.class
(type_spec name: (type_identifier) @name type: (interface_type) @body) @definition.interface
(type_spec name: (type_identifier) @name type: [(type_identifier) (qualified_type) (generic_type) (pointer_type) (slice_type) (map_type) (array_type) (function_type) (channel_type)]) @definition.type
(type_alias name: (type_identifier) @name) @definition.type

; `type S struct {}` is a type_declaration holding one type_spec
(type_declaration . [(type_spec) (type_alias)] @wrapped .) @wrapper

(comment) @comment

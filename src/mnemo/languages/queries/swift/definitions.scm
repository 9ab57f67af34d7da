; Swift: classes, structs, actors, enums, protocols, type aliases, functions and initialisers.
; Members are qualified by nesting; an extension is not a chunk of its own: its members are
; qualified by the extended type through @receiver (extension Session { func f() } → Session.f).
(class_declaration declaration_kind: ["class" "struct" "actor"] name: (type_identifier) @name body: (_) @body) @definition.class
(class_declaration declaration_kind: "enum" name: (type_identifier) @name body: (_) @body) @definition.enum
(protocol_declaration name: (type_identifier) @name body: (_) @body) @definition.interface
(typealias_declaration name: (type_identifier) @name) @definition.type

(class_declaration
  declaration_kind: "extension"
  name: (user_type . (type_identifier) @receiver)
  body: (class_body [
    (function_declaration name: (simple_identifier) @name body: (_) @body)
    (init_declaration "init" @name body: (_) @body)
  ] @definition.method))

(function_declaration name: (simple_identifier) @name body: (_) @body) @definition.function
(init_declaration "init" @name body: (_) @body) @definition.method
(deinit_declaration "deinit" @name body: (_) @body) @definition.method

; @MainActor / @objc attributes live in the declaration's modifiers
(attribute) @decorator

; class Session: NSObject, RequestInterceptor  (Swift does not mark which one is the superclass)
(class_declaration declaration_kind: ["class" "struct" "actor" "enum"] (inheritance_specifier inherits_from: (user_type . (type_identifier) @base))) @owner
(protocol_declaration (inheritance_specifier inherits_from: (user_type . (type_identifier) @base))) @owner

[(comment) (multiline_comment)] @comment

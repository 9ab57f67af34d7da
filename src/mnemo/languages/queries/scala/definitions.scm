; Scala 2 and 3: classes, case classes, objects, traits, enums, type members and functions
; (members are qualified by nesting; a companion object shares its class's name).
(class_definition name: (identifier) @name body: (_)? @body) @definition.class
(object_definition name: (identifier) @name body: (_)? @body) @definition.class
(trait_definition name: (identifier) @name body: (_)? @body) @definition.interface
(enum_definition name: (identifier) @name body: (_) @body) @definition.enum
(type_definition name: (type_identifier) @name) @definition.type
(function_definition name: (identifier) @name body: (_) @body) @definition.function
(given_definition name: (identifier) @name body: (_) @body) @definition.function

; @deprecated annotations
(annotation) @decorator

; class A extends B with C  /  trait T extends U
(class_definition extend: (extends_clause type: [(type_identifier) (stable_type_identifier) (generic_type type: (_))] @base)) @owner
(object_definition extend: (extends_clause type: [(type_identifier) (stable_type_identifier) (generic_type type: (_))] @base)) @owner
(trait_definition extend: (extends_clause type: [(type_identifier) (stable_type_identifier) (generic_type type: (_))] @base)) @owner

[(comment) (block_comment)] @comment

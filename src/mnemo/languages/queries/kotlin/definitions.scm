; Kotlin: classes, data/sealed classes, interfaces, enums, objects, type aliases and functions
; (members are qualified by nesting; a companion object's functions belong to the class).
((class_declaration (modifiers)? @_modifiers "class" name: (identifier) @name (class_body)? @body) @definition.class
  (#not-match? @_modifiers "\\benum\\b"))
(class_declaration (modifiers (class_modifier "enum")) name: (identifier) @name (enum_class_body) @body) @definition.enum
(class_declaration "interface" name: (identifier) @name (class_body)? @body) @definition.interface
(object_declaration name: (identifier) @name (class_body)? @body) @definition.class
(type_alias type: (identifier) @name) @definition.type
(function_declaration name: (identifier) @name (function_body) @body) @definition.function
(secondary_constructor "constructor" @name (block) @body) @definition.method

; @Serializable / @Test annotations live in the declaration's modifiers
(annotation) @decorator

; class A(...) : Base(), Iface  (a supertype with a constructor call is the base class)
(class_declaration (delegation_specifiers (delegation_specifier (constructor_invocation (user_type (identifier) @base))))) @owner
(class_declaration (delegation_specifiers (delegation_specifier (user_type (identifier) @implements)))) @owner

[(line_comment) (block_comment)] @comment

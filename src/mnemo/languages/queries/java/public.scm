; Declarations with a `public` modifier.
(class_declaration (modifiers "public") name: (identifier) @public)
(record_declaration (modifiers "public") name: (identifier) @public)
(interface_declaration (modifiers "public") name: (identifier) @public)
(annotation_type_declaration (modifiers "public") name: (identifier) @public)
(enum_declaration (modifiers "public") name: (identifier) @public)
(method_declaration (modifiers "public") name: (identifier) @public)
(constructor_declaration (modifiers "public") name: (identifier) @public)

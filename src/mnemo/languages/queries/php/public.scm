; Methods declared `public` (or without a visibility, which PHP treats as public), classes and functions.
(class_declaration name: (name) @public)
(interface_declaration name: (name) @public)
(trait_declaration name: (name) @public)
(enum_declaration name: (name) @public)
(function_definition name: (name) @public)
(method_declaration (visibility_modifier "public") name: (name) @public)

; Declarations marked `public` or `open`.
(class_declaration (modifiers (visibility_modifier ["public" "open"])) name: (type_identifier) @public)
(protocol_declaration (modifiers (visibility_modifier ["public" "open"])) name: (type_identifier) @public)
(function_declaration (modifiers (visibility_modifier ["public" "open"])) name: (simple_identifier) @public)
(init_declaration (modifiers (visibility_modifier ["public" "open"])) "init" @public)
(typealias_declaration (modifiers (visibility_modifier ["public" "open"])) name: (type_identifier) @public)

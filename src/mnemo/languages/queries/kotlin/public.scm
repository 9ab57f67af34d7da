; Kotlin declarations are public unless marked private or internal.
((class_declaration (modifiers)? @_modifiers name: (identifier) @public) (#not-match? @_modifiers "\\b(private|internal)\\b"))
((object_declaration (modifiers)? @_modifiers name: (identifier) @public) (#not-match? @_modifiers "\\b(private|internal)\\b"))
((function_declaration (modifiers)? @_modifiers name: (identifier) @public) (#not-match? @_modifiers "\\b(private|internal)\\b"))
((type_alias (modifiers)? @_modifiers type: (identifier) @public) (#not-match? @_modifiers "\\b(private|internal)\\b"))

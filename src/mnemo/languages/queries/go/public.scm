; Go exports every identifier that starts with an upper-case letter.
((function_declaration name: (identifier) @public) (#match? @public "^[A-Z]"))
((method_declaration name: (field_identifier) @public) (#match? @public "^[A-Z]"))
((type_spec name: (type_identifier) @public) (#match? @public "^[A-Z]"))
((type_alias name: (type_identifier) @public) (#match? @public "^[A-Z]"))

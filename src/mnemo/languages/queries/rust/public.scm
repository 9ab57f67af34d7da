; Items with a `pub` visibility modifier.
(function_item (visibility_modifier) name: (identifier) @public)
(struct_item (visibility_modifier) name: (type_identifier) @public)
(union_item (visibility_modifier) name: (type_identifier) @public)
(enum_item (visibility_modifier) name: (type_identifier) @public)
(trait_item (visibility_modifier) name: (type_identifier) @public)
(type_item (visibility_modifier) name: (type_identifier) @public)

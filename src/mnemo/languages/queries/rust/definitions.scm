; fn f() {}  (inside a trait → Trait.f by nesting; inside an impl → Type.f through @receiver)
(function_item name: (identifier) @name body: (_) @body) @definition.function
(impl_item
  type: [
    (type_identifier) @receiver
    (generic_type type: (type_identifier) @receiver)
    (scoped_type_identifier name: (type_identifier) @receiver)
  ]
  body: (declaration_list (function_item name: (identifier) @name body: (_) @body) @definition.method))

(struct_item name: (type_identifier) @name body: (_)? @body) @definition.class
(union_item name: (type_identifier) @name body: (_) @body) @definition.class
(enum_item name: (type_identifier) @name body: (_) @body) @definition.enum
(trait_item name: (type_identifier) @name body: (_) @body) @definition.interface
(type_item name: (type_identifier) @name) @definition.type

; #[derive(Debug)] attributes belong to the item below them.
(attribute_item) @decorator

; trait Shape: Named + Sized {}
(trait_item bounds: (trait_bounds [(type_identifier) @base (scoped_type_identifier) @base (generic_type type: (_) @base)])) @owner

[(line_comment) (block_comment)] @comment

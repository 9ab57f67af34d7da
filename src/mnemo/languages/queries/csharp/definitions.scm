; C#: types and their members; members are qualified by the enclosing type through nesting.
; Namespaces are not chunks (a block or file-scoped namespace spans the whole file).
(class_declaration name: (identifier) @name body: (_) @body) @definition.class
(struct_declaration name: (identifier) @name body: (_) @body) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name body: (_) @body) @definition.interface
(enum_declaration name: (identifier) @name body: (_) @body) @definition.enum
(delegate_declaration name: (identifier) @name) @definition.type

(method_declaration name: (identifier) @name body: (_) @body) @definition.method
(method_declaration name: (identifier) @name (arrow_expression_clause) @body) @definition.method
(constructor_declaration name: (identifier) @name body: (_) @body) @definition.method
(destructor_declaration name: (identifier) @name body: (_) @body) @definition.method
(operator_declaration operator: _ @name body: (_) @body) @definition.method
; public int Count => _items.Count;  /  public int Size { get { ... } }
(property_declaration name: (identifier) @name [(arrow_expression_clause) (accessor_list)] @body) @definition.method

; [Serializable] attributes sit before the declaration
(attribute_list) @decorator

; class A : Base, IFoo  → by .NET convention an `I`-prefixed name is an interface
(class_declaration (base_list [(identifier) (generic_name (identifier)) (qualified_name)] @base (#not-match? @base "^I[A-Z]"))) @owner
(class_declaration (base_list [(identifier) (generic_name (identifier)) (qualified_name)] @implements (#match? @implements "^I[A-Z]"))) @owner
(struct_declaration (base_list [(identifier) (generic_name (identifier)) (qualified_name)] @implements)) @owner
(record_declaration (base_list [(identifier) (generic_name (identifier)) (qualified_name)] @base (#not-match? @base "^I[A-Z]"))) @owner
(interface_declaration (base_list [(identifier) (generic_name (identifier)) (qualified_name)] @base)) @owner

(comment) @comment

; PHP: classes, interfaces, traits, enums and their methods (qualified by nesting), functions.
; A namespace declaration is a statement, not a block: its members keep their plain names.
(class_declaration name: (name) @name body: (_) @body) @definition.class
(interface_declaration name: (name) @name body: (_) @body) @definition.interface
(trait_declaration name: (name) @name body: (_) @body) @definition.interface
(enum_declaration name: (name) @name body: (_) @body) @definition.enum
(method_declaration name: (name) @name body: (_) @body) @definition.method
(function_definition name: (name) @name body: (_) @body) @definition.function

; #[Route('/x')] attributes
(attribute_list) @decorator

; class Router extends BaseRouter implements Dispatcher, \Countable
(class_declaration (base_clause [(name) (qualified_name)] @base)) @owner
(class_declaration (class_interface_clause [(name) (qualified_name)] @implements)) @owner
(interface_declaration (base_clause [(name) (qualified_name)] @base)) @owner

(comment) @comment

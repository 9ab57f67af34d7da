; Classes, records, interfaces, enums; methods and constructors are qualified by the enclosing
; type through generic nesting (nested types become Outer.Inner).
(class_declaration name: (identifier) @name body: (_) @body) @definition.class
(record_declaration name: (identifier) @name body: (_) @body) @definition.class
(interface_declaration name: (identifier) @name body: (_) @body) @definition.interface
(annotation_type_declaration name: (identifier) @name body: (_) @body) @definition.interface
(enum_declaration name: (identifier) @name body: (_) @body) @definition.enum
(method_declaration name: (identifier) @name body: (_) @body) @definition.method
(constructor_declaration name: (identifier) @name body: (_) @body) @definition.method
(compact_constructor_declaration name: (identifier) @name body: (_) @body) @definition.method

; Annotations sit inside the declaration's modifiers: left out of the signature.
[(annotation) (marker_annotation)] @decorator

; class A extends B<T> implements C, D<T>  /  interface I extends J, K
(class_declaration
  superclass: (superclass [(type_identifier) @base (scoped_type_identifier) @base (generic_type . (_) @base)])) @owner
(class_declaration
  interfaces: (super_interfaces
    (type_list [(type_identifier) @implements (scoped_type_identifier) @implements (generic_type . (_) @implements)]))) @owner
(record_declaration
  interfaces: (super_interfaces
    (type_list [(type_identifier) @implements (scoped_type_identifier) @implements (generic_type . (_) @implements)]))) @owner
(enum_declaration
  interfaces: (super_interfaces
    (type_list [(type_identifier) @implements (scoped_type_identifier) @implements (generic_type . (_) @implements)]))) @owner
(interface_declaration
  (extends_interfaces
    (type_list [(type_identifier) @base (scoped_type_identifier) @base (generic_type . (_) @base)]))) @owner

[(line_comment) (block_comment)] @comment

; inherits: ecma

(abstract_class_declaration name: (_) @name body: (_) @body) @definition.class
(interface_declaration name: (_) @name body: (_) @body) @definition.interface
(type_alias_declaration name: (_) @name) @definition.type
(enum_declaration name: (_) @name body: (_) @body) @definition.enum

; class A { handle = () => {}; private static make = function () {} }
(class_body
  (public_field_definition
    name: (_) @name
    value: [
      (arrow_function body: (_) @body)
      (function_expression body: (_) @body)
      (generator_function body: (_) @body)
    ]) @definition.method)

; declare class X {}
(ambient_declaration [(class_declaration) (abstract_class_declaration) (enum_declaration)] @wrapped) @wrapper

; class A<T> extends B<T> implements C, ns.D<T> {}  (type arguments are dropped)
(class_declaration (class_heritage (extends_clause value: [(identifier) (member_expression)] @base))) @owner
(abstract_class_declaration (class_heritage (extends_clause value: [(identifier) (member_expression)] @base))) @owner
(variable_declarator
  value: (class (class_heritage (extends_clause value: [(identifier) (member_expression)] @base)))) @owner
(class_declaration
  (class_heritage
    (implements_clause
      [
        (type_identifier) @implements
        (nested_type_identifier) @implements
        (generic_type name: (_) @implements)
      ]))) @owner
(abstract_class_declaration
  (class_heritage
    (implements_clause
      [
        (type_identifier) @implements
        (nested_type_identifier) @implements
        (generic_type name: (_) @implements)
      ]))) @owner

; interface I extends J, K<T> {}
(interface_declaration
  (extends_type_clause
    type: [
      (type_identifier) @base
      (nested_type_identifier) @base
      (generic_type name: (_) @base)
    ])) @owner

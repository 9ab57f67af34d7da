; inherits: c
; C++ adds classes, methods (in the class body they are qualified by nesting; defined outside as
; `void Sink::Evict()` they are qualified through @receiver), templates, aliases and scoped enums.
; Namespaces are not chunks (one would span the whole file); their members keep plain names.
(function_definition
  declarator: [
    (function_declarator declarator: [(field_identifier) (destructor_name) (operator_name)] @name)
    (pointer_declarator declarator: (function_declarator declarator: [(field_identifier) (operator_name)] @name))
    (reference_declarator (function_declarator declarator: [(identifier) (field_identifier) (operator_name)] @name))
  ]
  body: (_) @body) @definition.function

; void Sink::Evict() {}  /  ns::Sink::Evict  /  Box<T>::get  (also behind * and &)
(function_definition
  declarator: [
    (function_declarator declarator: (qualified_identifier
      scope: [(namespace_identifier) @receiver (template_type name: (type_identifier) @receiver)]
      name: [(identifier) (destructor_name) (operator_name)] @name))
    (function_declarator declarator: (qualified_identifier name: (qualified_identifier
      scope: [(namespace_identifier) @receiver (template_type name: (type_identifier) @receiver)]
      name: [(identifier) (destructor_name) (operator_name)] @name)))
    (pointer_declarator declarator: (function_declarator declarator: (qualified_identifier
      scope: [(namespace_identifier) @receiver (template_type name: (type_identifier) @receiver)]
      name: [(identifier) (operator_name)] @name)))
    (reference_declarator (function_declarator declarator: (qualified_identifier
      scope: [(namespace_identifier) @receiver (template_type name: (type_identifier) @receiver)]
      name: [(identifier) (operator_name)] @name)))
  ]
  body: (_) @body) @definition.method

(class_specifier name: [(type_identifier) (template_type name: (type_identifier))] @name body: (_) @body) @definition.class
(struct_specifier name: (template_type name: (type_identifier)) @name body: (_) @body) @definition.class
(alias_declaration name: (type_identifier) @name) @definition.type
(concept_definition name: (identifier) @name) @definition.type

; template <typename T> class X {...};  /  template <...> T f() {...}
(template_declaration [(class_specifier) (struct_specifier) (function_definition) (alias_declaration) (concept_definition)] @wrapped) @wrapper

; class A : public B, private C<T>
(class_specifier
  (base_class_clause [(type_identifier) @base (qualified_identifier) @base (template_type name: (_) @base)])) @owner
(struct_specifier
  (base_class_clause [(type_identifier) @base (qualified_identifier) @base (template_type name: (_) @base)])) @owner

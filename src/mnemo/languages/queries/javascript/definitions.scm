; inherits: ecma

; class A { handle = () => {}; static #make = function () {} }
(class_body
  (field_definition
    property: (_) @name
    value: [
      (arrow_function body: (_) @body)
      (function_expression body: (_) @body)
      (generator_function body: (_) @body)
    ]) @definition.method)

; class A extends B {}  /  const A = class extends B {}
(class_declaration (class_heritage [(identifier) (member_expression)] @base)) @owner
(variable_declarator value: (class (class_heritage [(identifier) (member_expression)] @base))) @owner

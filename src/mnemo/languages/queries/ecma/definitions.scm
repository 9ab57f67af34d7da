; Definitions shared by JavaScript and TypeScript (both grammars have these node types).
; Capture vocabulary: see ../README.md.

; function f() {}  /  function* g() {}  /  async function h() {}
(function_declaration name: (identifier) @name body: (_) @body) @definition.function
(generator_function_declaration name: (identifier) @name body: (_) @body) @definition.function

; const f = () => {}  /  let g = function () {}  /  var h = function* () {}
(variable_declarator
  name: (identifier) @name
  value: [
    (arrow_function body: (_) @body)
    (function_expression body: (_) @body)
    (generator_function body: (_) @body)
  ]) @definition.function

; const Foo = class extends Bar {}
(variable_declarator name: (identifier) @name value: (class body: (_) @body)) @definition.class

; f = () => {}  /  exports.f = function () {}  /  module.exports.f = function () {}
(assignment_expression
  left: [
    (identifier) @name
    (member_expression object: (identifier) @_exports property: (property_identifier) @name)
    (member_expression
      object: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
      property: (property_identifier) @name)
  ]
  right: [
    (arrow_function body: (_) @body)
    (function_expression body: (_) @body)
    (generator_function body: (_) @body)
  ]
  (#eq? @_exports "exports")
  (#eq? @_module "module")) @definition.function

; export default function () {}  /  export default () => {}  /  export default class {}
(export_statement
  "default" @name
  value: [
    (function_expression body: (_) @body)
    (arrow_function body: (_) @body)
    (generator_function body: (_) @body)
  ] @definition.function)
(export_statement "default" @name value: (class body: (_) @body) @definition.class)

; Classes and their methods (constructor, getters/setters, static, #private, async, generators).
(class_declaration name: (_) @name body: (_) @body) @definition.class
(class_body (method_definition name: (_) @name body: (_) @body) @definition.method)

; Wrappers: the span of the wrapped definition extends to the wrapper.
(export_statement declaration: (_) @wrapped) @wrapper
(export_statement value: [(function_expression) (arrow_function) (generator_function) (class)] @wrapped) @wrapper
(lexical_declaration
  . (variable_declarator value: [(arrow_function) (function_expression) (generator_function) (class)]) @wrapped .) @wrapper
(variable_declaration
  . (variable_declarator value: [(arrow_function) (function_expression) (generator_function) (class)]) @wrapped .) @wrapper
(expression_statement
  (assignment_expression right: [(arrow_function) (function_expression) (generator_function)]) @wrapped) @wrapper

(decorator) @decorator
(comment) @comment

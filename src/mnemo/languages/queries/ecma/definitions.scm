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

; const Button = forwardRef((props, ref) => {})  /  const ZodType = $constructor("ZodType", (inst) => {})
; / const useStore = create((set) => ({}))  /  const f = memo(function () {}): a name bound to a call
; that takes a function (a factory, a higher-order component, a hook) is defined by that function;
; without this the members assigned inside it (`inst.parse = ...`) were top-level one-line methods
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    arguments: (arguments
      [
        (arrow_function body: (statement_block) @body)
        (function_expression body: (_) @body)
      ]))) @definition.function

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
  . (variable_declarator value: [(arrow_function) (function_expression) (generator_function) (class) (call_expression)]) @wrapped .) @wrapper
(variable_declaration
  . (variable_declarator value: [(arrow_function) (function_expression) (generator_function) (class) (call_expression)]) @wrapped .) @wrapper
(expression_statement
  (assignment_expression right: [(arrow_function) (function_expression) (generator_function)]) @wrapped) @wrapper

(decorator) @decorator
(comment) @comment

; Assignment-style definitions (classic JavaScript). `@receiver` names the owner: the chunk is
; `<receiver>.<name>`; a receiver ending in `.prototype` is dropped to its object (`X`), and a
; function `X` of the same file that gets prototype members becomes a class (an ES5 constructor).

; obj.name = function () {}  /  X.prototype.name = () => {}  /  $.fn.name = function* () {}
; (exports.f / module.exports.f stay plain exported names, above; `module.exports = ...` is not one)
(assignment_expression
  left: (member_expression
    object: [(identifier) (member_expression)] @receiver
    property: (property_identifier) @name)
  right: [
    (arrow_function body: (_) @body)
    (function_expression body: (_) @body)
    (generator_function body: (_) @body)
  ]
  (#not-match? @receiver "^(module|exports|module\\.exports)$")) @definition.method

; X.prototype = { a() {}, b: function () {} }
(assignment_expression
  left: (member_expression property: (property_identifier) @_prototype) @receiver
  right: (object (method_definition name: (property_identifier) @name body: (_) @body) @definition.method)
  (#eq? @_prototype "prototype"))
(assignment_expression
  left: (member_expression property: (property_identifier) @_prototype) @receiver
  right: (object
    (pair
      key: [(property_identifier) @name (string (string_fragment) @name)]
      value: [
        (arrow_function body: (_) @body)
        (function_expression body: (_) @body)
        (generator_function body: (_) @body)
      ]) @definition.method)
  (#eq? @_prototype "prototype"))

; module.exports = { a() {}, b: function () {} }  /  export default { a() {} }: the module's own
; functions, named plainly like exports.f
(assignment_expression
  left: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
  right: (object (method_definition name: (property_identifier) @name body: (_) @body) @definition.function)
  (#eq? @_module "module")
  (#eq? @_exports "exports"))
(assignment_expression
  left: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
  right: (object
    (pair
      key: [(property_identifier) @name (string (string_fragment) @name)]
      value: [
        (arrow_function body: (_) @body)
        (function_expression body: (_) @body)
        (generator_function body: (_) @body)
      ]) @definition.function)
  (#eq? @_module "module")
  (#eq? @_exports "exports"))
(export_statement
  "default"
  value: (object (method_definition name: (property_identifier) @name body: (_) @body) @definition.function))
(export_statement
  "default"
  value: (object
    (pair
      key: [(property_identifier) @name (string (string_fragment) @name)]
      value: [
        (arrow_function body: (_) @body)
        (function_expression body: (_) @body)
        (generator_function body: (_) @body)
      ]) @definition.function))

; const handlers = { a() {}, b: () => {} }  (exported or not): handlers.a, handlers.b
(variable_declarator
  name: (identifier) @receiver
  value: (object (method_definition name: (property_identifier) @name body: (_) @body) @definition.method))
(variable_declarator
  name: (identifier) @receiver
  value: (object
    (pair
      key: [(property_identifier) @name (string (string_fragment) @name)]
      value: [
        (arrow_function body: (_) @body)
        (function_expression body: (_) @body)
        (generator_function body: (_) @body)
      ]) @definition.method))

; Object.defineProperty(req, 'host', { get: function () {} })  /  { get() {} }: req.host
; (a descriptor without a function, e.g. `{ value: true }`, defines no code; exports' getters
; written by compilers are re-exports, not definitions)
(call_expression
  function: (member_expression object: (identifier) @_object property: (property_identifier) @_define)
  arguments: (arguments
    .
    [(identifier) (member_expression)] @receiver
    .
    (string (string_fragment) @name)
    .
    (object [
      (pair value: [(function_expression) (arrow_function)])
      (method_definition)
    ]) @body)
  (#any-of? @_object "Object" "Reflect")
  (#eq? @_define "defineProperty")
  (#not-match? @receiver "^(module|exports|module\\.exports)$")) @definition.method

; defineGetter(req, 'protocol', function () {})  /  obj.__defineGetter__('name', function () {})
(call_expression
  function: (identifier) @_define
  arguments: (arguments
    .
    [(identifier) (member_expression)] @receiver
    .
    (string (string_fragment) @name)
    .
    [(function_expression body: (_) @body) (arrow_function body: (_) @body)])
  (#match? @_define "^define(Getter|Setter|Property)$")) @definition.method
(call_expression
  function: (member_expression object: [(identifier) (member_expression)] @receiver property: (property_identifier) @_define)
  arguments: (arguments
    .
    (string (string_fragment) @name)
    .
    [(function_expression body: (_) @body) (arrow_function body: (_) @body)])
  (#any-of? @_define "__defineGetter__" "__defineSetter__")) @definition.method

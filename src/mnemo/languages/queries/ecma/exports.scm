; Exports of an ES module (top level only, so `export` inside a namespace does not count).

; export function f() {}  /  export class C {}  /  export default function f() {}  /  export default class C {}
(program
  (export_statement
    "default"? @export.default
    declaration: (_ name: (_) @export.local)) @export)

; export const a = 1, b = () => {}
(program
  (export_statement
    declaration: [
      (lexical_declaration (variable_declarator name: (identifier) @export.local))
      (variable_declaration (variable_declarator name: (identifier) @export.local))
    ]) @export)

; export default foo
(program (export_statement "default" @export.default value: (identifier) @export.local) @export)

; export default function () {}  /  export default () => {}  /  export default class {}
(program
  (export_statement
    "default" @export.default @export.local
    value: [(function_expression) (arrow_function) (generator_function) (class)]) @export)

; export default { ... }  (any other expression: no local definition)
(program (export_statement "default" @export.default value: (_)) @export)

; export { a, b as c }  /  export { a as b } from './m'
(program
  (export_statement
    (export_clause (export_specifier name: (_) @export.local alias: (_)? @export.name))
    source: (string (string_fragment) @export.source)?) @export)

; export * from './m'
(program
  (export_statement
    "*" @export.star
    source: (string (string_fragment) @export.source)) @export)

; export * as ns from './m'
(program
  (export_statement
    (namespace_export (_) @export.name) @export.star
    source: (string (string_fragment) @export.source)) @export)

; inherits: ecma

; export declare class C {}  /  export declare function f(): void
(program
  (export_statement declaration: (ambient_declaration (_ name: (_) @export.local))) @export)

; export = Foo
(program (export_statement "=" @export.default (identifier) @export.local) @export)

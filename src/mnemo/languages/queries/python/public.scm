; Python has no export statement: a module-level definition is public unless its name starts
; with an underscore.
(module
  [
    (function_definition name: (identifier) @public)
    (class_definition name: (identifier) @public)
    (decorated_definition definition: (_ name: (identifier) @public))
  ]
  (#not-match? @public "^_"))

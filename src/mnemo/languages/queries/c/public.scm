; A function without `static` has external linkage.
((function_definition
  declarator: [
    (function_declarator declarator: (identifier) @public)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @public))
  ]) @fn
  (#not-match? @fn "^static\\s"))

; inherits: ecma

; import x = require('./x')
(import_statement
  (import_require_clause
    (identifier) @import.default
    source: (string (string_fragment) @import.source))) @import

; Imports shared by JavaScript and TypeScript. One Import per @import node and source.

; import './side-effect'
(import_statement source: (string (string_fragment) @import.source)) @import

; import x from './x'
(import_statement
  (import_clause (identifier) @import.default)
  source: (string (string_fragment) @import.source)) @import

; import * as ns from './x'
(import_statement
  (import_clause (namespace_import (identifier) @import.namespace))
  source: (string (string_fragment) @import.source)) @import

; import { a, b as c } from './x'  (also `import type { ... }`)
(import_statement
  (import_clause (named_imports (import_specifier name: (_) @import.name alias: (_)? @import.alias)))
  source: (string (string_fragment) @import.source)) @import

; const x = require('./x')  /  var x = require('./x')
(variable_declarator
  name: (identifier) @import.default
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @import.source)))
  (#eq? @_require "require")) @import

; const { a, b: c } = require('./x')
(variable_declarator
  name: (object_pattern
    [
      (shorthand_property_identifier_pattern) @import.name
      (pair_pattern key: (property_identifier) @import.name value: (identifier) @import.alias)
    ])
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @import.source)))
  (#eq? @_require "require")) @import

; require('./x')  (side effect)
(expression_statement
  (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @import.source)))
  (#eq? @_require "require")) @import

; import('./x')  (dynamic import)
(call_expression
  function: (import)
  arguments: (arguments . (string (string_fragment) @import.source))) @import

; import a.b  → source "a.b", binds "a"
(import_statement name: (dotted_name . (identifier) @import.namespace) @import.source) @import

; import a.b as c
(import_statement
  name: (aliased_import name: (dotted_name) @import.source alias: (identifier) @import.namespace)) @import

; from ..pkg.mod import a, b as c
(import_from_statement
  module_name: (_) @import.source
  name: (dotted_name) @import.name) @import
(import_from_statement
  module_name: (_) @import.source
  name: (aliased_import name: (dotted_name) @import.name alias: (identifier) @import.alias)) @import

; from x import *
(import_from_statement module_name: (_) @import.source (wildcard_import) @import.name) @import

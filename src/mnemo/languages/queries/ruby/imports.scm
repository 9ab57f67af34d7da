; require "json"  /  require_relative "store/base"  → the path as written
((call
  !receiver
  method: (identifier) @_method
  arguments: (argument_list . (string (string_content) @import.source) .)) @import
  (#any-of? @_method "require" "require_relative" "load"))

; @import("std")  /  @import("allocator.zig")  → the module name or path as written
((builtin_function
  (builtin_identifier) @_builtin
  (arguments . (string (string_content) @import.source))) @import
  (#eq? @_builtin "@import"))

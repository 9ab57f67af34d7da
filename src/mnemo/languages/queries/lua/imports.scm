; require("cjson")  /  require "lapis.utils"  → the module name as written
((function_call
  name: (identifier) @_require
  arguments: (arguments . (string content: (string_content) @import.source))) @import
  (#eq? @_require "require"))

; Zig: functions, container declarations bound to a name (`const Point = struct {...}`: their
; functions are qualified by nesting, Point.add), and tests (named by their description).
; A generic type is a function returning a struct: its members stay inside the function's chunk.
(function_declaration name: (identifier) @name body: (_) @body) @definition.function
(variable_declaration (identifier) @name [(struct_declaration) (union_declaration) (opaque_declaration)] @body) @definition.class
(variable_declaration (identifier) @name (enum_declaration) @body) @definition.enum
(variable_declaration (identifier) @name (error_set_declaration) @body) @definition.enum
(test_declaration [(string (string_content) @name) (identifier) @name] (block) @body) @definition.function

(comment) @comment

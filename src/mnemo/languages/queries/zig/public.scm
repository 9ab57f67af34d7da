; Declarations marked `pub`.
(function_declaration "pub" name: (identifier) @public)
(variable_declaration "pub" (identifier) @public)

; C: functions (also through pointer declarators: `char *f()`), function-like macros, named
; structs/unions/enums with a body, and typedefs. Prototypes (`int f(void);`) are not chunks.
(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @name)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
    (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
  ]
  body: (_) @body) @definition.function

; #define MIN(a, b) ...  (object-like macros are module code)
(preproc_function_def name: (identifier) @name value: (_)? @body) @definition.function

(struct_specifier name: (type_identifier) @name body: (_) @body) @definition.class
(union_specifier name: (type_identifier) @name body: (_) @body) @definition.class
(enum_specifier name: (type_identifier) @name body: (_) @body) @definition.enum

; typedef struct { ... } name_t;  → the typedef's name; `typedef struct tag {...} t;` keeps the tag
(type_definition type: (struct_specifier !name body: (_) @body) declarator: (type_identifier) @name) @definition.class
(type_definition type: (union_specifier !name body: (_) @body) declarator: (type_identifier) @name) @definition.class
(type_definition type: (enum_specifier !name body: (_) @body) declarator: (type_identifier) @name) @definition.enum
(type_definition type: [(struct_specifier name: (_) body: (_)) (union_specifier name: (_) body: (_)) (enum_specifier name: (_) body: (_))] @wrapped) @wrapper

; typedef int id_t;  /  typedef struct buffer buffer_t;
(type_definition
  type: [(type_identifier) (primitive_type) (sized_type_specifier) (struct_specifier !body) (union_specifier !body) (enum_specifier !body)]
  declarator: (type_identifier) @name) @definition.type

(comment) @comment

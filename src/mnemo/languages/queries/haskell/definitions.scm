; Haskell: functions (each equation `f (A x) = ...`, `f _ = ...` is a chunk of the same name),
; top-level bindings (`main = ...`), data types and newtypes (kind class), type synonyms and
; families, type classes (interface; their default methods are qualified by nesting).
; A type signature right above a function joins its span, like a decorator. Instances are not
; chunks: their methods keep the class method's plain name.
(function name: (variable) @name match: (_) @body) @definition.function
(declarations (bind name: (variable) @name match: (_) @body) @definition.function)
(class_declarations (bind name: (variable) @name match: (_) @body) @definition.function)
(data_type name: (name) @name) @definition.class
(newtype name: (name) @name) @definition.class
(type_synonym name: (name) @name) @definition.type
(type_family name: (name) @name) @definition.type
(data_family name: (name) @name) @definition.type
(class name: (name) @name declarations: (_)? @body) @definition.interface

(signature) @decorator

[(comment) (haddock)] @comment

; def / async def / class. A function directly inside a class body becomes a method, and a
; class inside a class is qualified Outer.Inner (both by the generic nesting rules).
(function_definition name: (identifier) @name body: (_) @body) @definition.function
(class_definition name: (identifier) @name body: (_) @body) @definition.class

; @decorator lines belong to the definition's span (the signature still starts at def/class).
(decorated_definition definition: (_) @wrapped) @wrapper
(decorator) @decorator

; Docstring: a string as the first statement of the body.
(function_definition body: (block . (expression_statement . (string) @doc .))) @owner
(class_definition body: (block . (expression_statement . (string) @doc .))) @owner

; class A(B, mod.C, Generic[T], metaclass=M)  → B, mod.C, Generic  (keyword arguments skipped)
(class_definition
  superclasses: (argument_list
    [
      (identifier) @base
      (attribute) @base
      (subscript value: (_) @base)
    ])) @owner

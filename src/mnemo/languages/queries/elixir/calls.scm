; Local calls where a call can stand: a statement of a block, an argument (but not the head of a
; `def`), an operand (the left of a `when` guard is a def head), a keyword value (`do: f(x)`).
; Definition macros are never calls; Kernel macros (if, case, raise, ...) are in graph/rules.py's
; Elixir builtins. (`#not-any-of?` is ignored by the py-tree-sitter binding: `#not-match?` is used.)
((do_block (call target: (identifier) @call.name))
  (#not-match? @call.name "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp|defmodule|defprotocol|defimpl|defstruct|defexception|defoverridable)$"))
((body (call target: (identifier) @call.name))
  (#not-match? @call.name "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp|defmodule|defprotocol|defimpl|defstruct|defexception|defoverridable)$"))
((call target: (identifier) @_outer (arguments (call target: (identifier) @call.name)))
  (#not-match? @_outer "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp)$"))
(binary_operator right: (call target: (identifier) @call.name))
((binary_operator left: (call target: (identifier) @call.name) operator: _ @_operator)
  (#not-eq? @_operator "when"))
(pair value: (call target: (identifier) @call.name))

; Logger.info("x")  /  Status.code(s)  (remote calls; `conn.halted` without arguments is a field)
(call target: (dot left: (_) @call.qualifier right: (identifier) @call.name) (arguments))

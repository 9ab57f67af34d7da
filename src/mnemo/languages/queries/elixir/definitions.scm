; Elixir: everything is a macro call. `defmodule`/`defimpl` are modules (kind class, so their
; functions are qualified by nesting: Plug.Conn.send_resp), `defprotocol` an interface;
; def/defp/defmacro/defmacrop/defguard/defdelegate are functions, with a `when` guard or none,
; with a do-block or a `, do:` keyword body.
((call target: (identifier) @_keyword (arguments . (alias) @name) (do_block)? @body) @definition.class
  (#any-of? @_keyword "defmodule" "defimpl"))
((call target: (identifier) @_keyword (arguments . (alias) @name) (do_block)? @body) @definition.interface
  (#eq? @_keyword "defprotocol"))
((call
  target: (identifier) @_keyword
  (arguments . [
    (call target: (identifier) @name)
    (binary_operator left: (call target: (identifier) @name) operator: "when")
    (identifier) @name
  ])
  (do_block)? @body) @definition.function
  (#any-of? @_keyword "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate" "defn" "defnp"))

; @doc "..." / @doc """...""" right before a function; @moduledoc first in a module's block
((_
  (unary_operator operand: (call target: (identifier) @_attribute (arguments . (string) @doc)))
  .
  (call) @owner)
  (#eq? @_attribute "doc"))
((call
  target: (identifier) @_keyword
  (do_block . (unary_operator operand: (call target: (identifier) @_attribute (arguments . (string) @doc))))) @owner
  (#eq? @_attribute "moduledoc")
  (#any-of? @_keyword "defmodule" "defprotocol" "defimpl"))

(comment) @comment

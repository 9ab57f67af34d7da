; def/defmacro/defguard (not defp/defmacrop) and modules are public.
((call
  target: (identifier) @_keyword
  (arguments . [
    (call target: (identifier) @public)
    (binary_operator left: (call target: (identifier) @public) operator: "when")
    (identifier) @public
  ]))
  (#any-of? @_keyword "def" "defmacro" "defguard" "defdelegate" "defn"))
((call target: (identifier) @_keyword (arguments . (alias) @public))
  (#any-of? @_keyword "defmodule" "defprotocol"))

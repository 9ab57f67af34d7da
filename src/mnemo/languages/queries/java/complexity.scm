; Decision points for cyclomatic complexity. A `case` label has a value; `default` has none.
[
  (if_statement)
  (for_statement)
  (enhanced_for_statement)
  (while_statement)
  (do_statement)
  (catch_clause)
  (ternary_expression)
] @decision

(switch_label (_)) @decision

(binary_expression operator: ["&&" "||"] @decision)

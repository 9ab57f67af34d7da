; Decision points for cyclomatic complexity: each `when` branch with a condition counts (not `else`).
[
  (if_expression)
  (for_statement)
  (while_statement)
  (do_while_statement)
  (catch_block)
] @decision

(when_entry condition: (_)) @decision

(binary_expression operator: ["&&" "||" "?:"] @decision)

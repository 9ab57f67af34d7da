; Decision points for cyclomatic complexity.
[
  (if_statement)
  (else_if_clause)
  (for_statement)
  (foreach_statement)
  (while_statement)
  (do_statement)
  (catch_clause)
  (conditional_expression)
  (case_statement)
  (match_conditional_expression)
] @decision

(binary_expression operator: ["&&" "||" "and" "or" "??"] @decision)

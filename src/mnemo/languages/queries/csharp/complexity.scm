; Decision points for cyclomatic complexity.
[
  (if_statement)
  (for_statement)
  (foreach_statement)
  (while_statement)
  (do_statement)
  (catch_clause)
  (conditional_expression)
  (switch_expression_arm)
] @decision

(switch_section "case") @decision

(binary_expression operator: ["&&" "||" "??"] @decision)

; Decision points for cyclomatic complexity.
[
  (if_statement)
  (elif_clause)
  (for_statement)
  (c_style_for_statement)
  (while_statement)
  (case_item)
  (ternary_expression)
] @decision

(list ["&&" "||"] @decision)
(binary_expression operator: ["&&" "||"] @decision)

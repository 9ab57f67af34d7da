; Decision points for cyclomatic complexity: each `case` of a match or catch counts.
[
  (if_expression)
  (while_expression)
  (for_expression)
  (case_clause)
] @decision

((infix_expression operator: (operator_identifier) @decision) (#any-of? @decision "&&" "||"))

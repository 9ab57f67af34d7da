; Decision points for cyclomatic complexity.
[
  (if_statement)
  (elseif_statement)
  (for_statement)
  (while_statement)
  (repeat_statement)
] @decision

(binary_expression operator: ["and" "or"] @decision)

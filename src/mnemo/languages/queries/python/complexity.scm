; Decision points for cyclomatic complexity (1 + their count). Comprehension `for`/`if`
; clauses branch like loops and ifs; `and`/`or` are boolean_operator.
[
  (if_statement)
  (elif_clause)
  (for_statement)
  (while_statement)
  (except_clause)
  (conditional_expression)
  (case_clause)
  (for_in_clause)
  (if_clause)
  (boolean_operator)
] @decision

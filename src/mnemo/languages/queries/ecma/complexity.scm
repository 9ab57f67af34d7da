; Decision points for cyclomatic complexity (1 + their count). `else if` is an if_statement
; nested in the else clause; for…of/for…in are for_in_statement; `default:` is switch_default.
[
  (if_statement)
  (for_statement)
  (for_in_statement)
  (while_statement)
  (do_statement)
  (switch_case)
  (catch_clause)
  (ternary_expression)
] @decision

(binary_expression operator: ["&&" "||" "??"] @decision)

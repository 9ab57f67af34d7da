; Decision points for cyclomatic complexity; every match arm counts (a `_` arm included).
[
  (if_expression)
  (for_expression)
  (while_expression)
  (match_arm)
] @decision

(binary_expression operator: ["&&" "||"] @decision)

; Decision points for cyclomatic complexity.
[
  (if)
  (elsif)
  (unless)
  (while)
  (until)
  (for)
  (when)
  (rescue)
  (conditional)
  (if_modifier)
  (unless_modifier)
  (while_modifier)
  (until_modifier)
  (rescue_modifier)
] @decision

(binary operator: ["&&" "||" "and" "or"] @decision)

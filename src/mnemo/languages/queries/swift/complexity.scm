; Decision points for cyclomatic complexity; a `default:` entry has no pattern.
[
  (if_statement)
  (guard_statement)
  (for_statement)
  (while_statement)
  (repeat_while_statement)
  (catch_block)
  (ternary_expression)
  (conjunction_expression)
  (disjunction_expression)
  (nil_coalescing_expression)
] @decision

(switch_entry (switch_pattern)) @decision

; Decision points for cyclomatic complexity: if/unless/for/with, each clause of case/cond/receive
; (a stab clause `pattern -> body`), and boolean operators.
((call target: (identifier) @decision) (#any-of? @decision "if" "unless" "for" "with"))
(stab_clause) @decision
(binary_operator operator: ["and" "or" "&&" "||"] @decision)

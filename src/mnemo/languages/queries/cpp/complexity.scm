; inherits: c
(catch_clause) @decision

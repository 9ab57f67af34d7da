; Decision points for cyclomatic complexity: case alternatives, guards, if-then-else.
[
  (alternative)
  (guards)
  (conditional)
] @decision

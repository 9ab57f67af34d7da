; import java.util.List;  → source "java.util", name "List"  (also `import static a.B.c;`)
((import_declaration (scoped_identifier scope: (_) @import.source name: (identifier) @import.name)) @import
  (#not-match? @import "\\*\\s*;$"))

; import java.util.*;  → source "java.util", name "*"
(import_declaration (_) @import.source (asterisk) @import.name) @import

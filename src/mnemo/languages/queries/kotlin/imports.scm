; import kotlinx.coroutines.flow.Flow  → source "kotlinx.coroutines.flow.Flow", no binding (a
; repository class imported by name still resolves by name); `import a.B as C` binds C.
(import (qualified_identifier) @import.source . ) @import
(import (qualified_identifier) @import.source . (identifier) @import.namespace) @import

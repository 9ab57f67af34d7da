; using System.Collections.Generic;  → source "System.Collections.Generic", the namespace's names
; using Json = Newtonsoft.Json;  → bound as namespace "Json"
(using_directive !name [(identifier) (qualified_name)] @import.source) @import
(using_directive name: (identifier) @import.namespace (qualified_name) @import.source) @import

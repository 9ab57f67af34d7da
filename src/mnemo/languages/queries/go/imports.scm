; import "fmt"  /  import str "strings"  (one Import per spec; `.` and `_` bind no name)
(import_spec path: (interpreted_string_literal (interpreted_string_literal_content) @import.source)) @import
(import_spec
  name: (package_identifier) @import.namespace
  path: (interpreted_string_literal (interpreted_string_literal_content) @import.source)) @import

; #include "buffer.h"  → source "buffer.h";  #include <stdlib.h>  → source "<stdlib.h>" (a system header)
(preproc_include path: (string_literal (string_content) @import.source)) @import
(preproc_include path: (system_lib_string) @import.source) @import

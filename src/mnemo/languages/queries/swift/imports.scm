; import Foundation  /  import struct Foo.Bar  → the module path; nothing is bound by name
(import_declaration (identifier) @import.source) @import

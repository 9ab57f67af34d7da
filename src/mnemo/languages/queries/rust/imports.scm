; use std::collections::HashMap;  → source "std::collections", name "HashMap"
(use_declaration argument: (scoped_identifier path: (_) @import.source name: (identifier) @import.name)) @import

; use a::b::C as D;
(use_declaration
  argument: (use_as_clause
    path: (scoped_identifier path: (_) @import.source name: (identifier) @import.name)
    alias: (identifier) @import.alias)) @import

; use crate::a::{B, C as D};
(use_declaration
  argument: (scoped_use_list
    path: (_) @import.source
    list: (use_list
      [
        (identifier) @import.name
        (use_as_clause path: (identifier) @import.name alias: (identifier) @import.alias)
      ]))) @import

; use super::*;
(use_declaration argument: (use_wildcard (_) @import.source "*" @import.name)) @import

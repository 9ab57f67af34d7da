; Every command is a call by name: `log "x"`, `install_file a b`. External programs (cp, rm)
; and builtins (echo) simply resolve to nothing unless the repository defines a function so named.
(command name: (command_name (word) @call.name))

; source lib/common.sh  /  . ./helpers.bash  → the path as written (quotes and expansions kept)
((command
  name: (command_name (word) @_command)
  argument: [(word) (string) (raw_string) (concatenation)] @import.source) @import
  (#any-of? @_command "source" "."))

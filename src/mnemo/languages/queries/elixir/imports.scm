; alias Plug.Conn.Status  /  import Plug.Utils, only: [...]  /  require Logger  /  use GenServer
((call target: (identifier) @_keyword (arguments . (alias) @import.source)) @import
  (#any-of? @_keyword "alias" "import" "require" "use"))

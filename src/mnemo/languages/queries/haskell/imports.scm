; import Data.Text (Text, pack)  → source "Data.Text";  import qualified Data.Map as M  → binds M
(import module: (module) @import.source) @import
(import module: (module) @import.source alias: (module) @import.namespace) @import

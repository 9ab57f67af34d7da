; use App\Contracts\Dispatcher;  → source "App\Contracts\Dispatcher", no binding: a plain imported
; name is not bound, so a call to a class of the repository still resolves by its name.
; use Illuminate\Support\Arr as ArrayHelper;  → the alias is bound to the whole imported name.
(namespace_use_declaration (namespace_use_clause [(qualified_name) (name)] @import.source !alias)) @import
(namespace_use_declaration (namespace_use_clause [(qualified_name) (name)] @import.source alias: (name) @import.namespace)) @import

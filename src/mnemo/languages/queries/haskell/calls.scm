; f x y  (curried: only the innermost application names the function)
(apply function: (variable) @call.name)
; M.lookup k m  → qualifier "M" (the module text ends with its dot, so the single id is taken);
; Data.Map.lookup k m  → the name only
(apply function: (qualified module: (module . (module_id) @call.qualifier .) id: (variable) @call.name))
(apply function: (qualified module: (module (module_id) (module_id)) id: (variable) @call.name))
; x `elem` xs
(infix operator: (infix_id (variable) @call.name))

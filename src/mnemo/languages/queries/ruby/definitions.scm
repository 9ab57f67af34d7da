; Ruby: modules and classes (a module is a namespace or mixin: kind class, so its members are
; qualified through nesting: Rack.Session.load), methods and singleton methods (`def self.x`).
(module name: [(constant) (scope_resolution)] @name body: (_)? @body) @definition.class
(class name: [(constant) (scope_resolution)] @name body: (_)? @body) @definition.class
(method name: (_) @name body: (_)? @body) @definition.method
(singleton_method name: (_) @name body: (_)? @body) @definition.method

; class Session < Store::Base
(class superclass: (superclass [(constant) (scope_resolution)] @base)) @owner

(comment) @comment

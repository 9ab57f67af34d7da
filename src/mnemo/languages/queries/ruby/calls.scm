; decode(x)  /  JSON.parse(x)  /  self.save  /  Store::Base.new  (a bare word without
; arguments or parentheses is indistinguishable from a local variable: not a call here)
(call !receiver method: (identifier) @call.name)
(call receiver: (_) @call.qualifier method: [(identifier) (constant)] @call.name)

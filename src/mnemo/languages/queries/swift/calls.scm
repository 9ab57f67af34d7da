; print(x)  /  DataRequest(url:)  /  self.perform(r)  /  queue.async { }  /  super.init()
(call_expression . (simple_identifier) @call.name)
(call_expression . (navigation_expression
  target: [(simple_identifier) (self_expression) (super_expression) (navigation_expression)] @call.qualifier
  suffix: (navigation_suffix suffix: (simple_identifier) @call.name)))

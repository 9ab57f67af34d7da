; log(x)  /  api.fetch(id)  /  this.trim()  /  UserRepository(api)  (a constructor call looks like a function call)
(call_expression . (identifier) @call.name)
(call_expression . (navigation_expression (_) @call.qualifier . (identifier) @call.name .))

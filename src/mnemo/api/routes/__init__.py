"""The API's routes, one small module per resource; `ROUTERS` is what the app mounts."""

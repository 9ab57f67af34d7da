"""The API's routes, one small module per resource; app.create_app mounts each module's `router`."""

"""Assembly of the hub: the HTTP app, its shared context, the server and start-up."""

"""The operator console at /admin: pages over the same domain services as the CLI."""

"""The `simgate` command: one module per command group."""

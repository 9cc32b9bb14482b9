"""Countries, operators, services and prices."""

"""What operators do to accounts, suppliers and sender names (each with its audit row), and
the figures the console's dashboard shows."""

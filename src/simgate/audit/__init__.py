"""The audit list: who did what to which account, supplier or sender name, and when."""

"""The database outbox: side effects recorded with the state change, performed after commit."""

"""Background jobs: stock polling, the outbox, expiry and deferred requests."""

"""The reference agent: serves the SMSHUB agent protocol from a pool of GSM modems (or a
simulated pool) and pushes every received SMS to the hub through a durable outbox."""

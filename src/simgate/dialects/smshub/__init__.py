"""The hub side of the SMSHUB agent protocol: PUSH_SMS intake."""

"""What every buyer dialect needs and none should own: reading parameters, authenticating an
API key, a method table, and the rule that turns a domain refusal into the dialect's word."""

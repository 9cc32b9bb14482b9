"""The chaos harness: simgate's production shape under load and repeated faults.

`python -m chaos run [--seed N] [--short|--full]` starts a private PostgreSQL, two hubs, two
workers and two reference agents on loopback, drives buyers through them while a seeded
schedule kills processes, restarts the database, cuts links and replays PUSH_SMS, then checks
that money and codes moved exactly once.
"""

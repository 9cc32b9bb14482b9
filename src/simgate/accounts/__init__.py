"""Buyers and admins: creation, API keys, limits."""

"""Shared foundations: settings, storage, clock, money, errors."""

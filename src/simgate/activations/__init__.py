"""Activations: one rental of one number for one service (the onlinesim "operation")."""

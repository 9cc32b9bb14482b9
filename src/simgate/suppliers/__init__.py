"""Agents (SIM banks) the hub buys numbers from: their stock, health and the protocol client."""

"""The hub fixtures, so operator commands can be run against rentals made over real HTTP."""

from tests.hub.conftest import buyer, connect_agent, hub, make_buyer

__all__ = ["buyer", "connect_agent", "hub", "make_buyer"]

"""The hub fixtures (tests/hub/conftest.py) are the edge tests' fixtures too."""

from tests.hub.conftest import buyer, connect_agent, hub, make_buyer  # noqa: F401

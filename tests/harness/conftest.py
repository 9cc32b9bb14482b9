from tests.hub.conftest import buyer, connect_agent, hub, make_buyer  # noqa: F401

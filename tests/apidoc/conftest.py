"""The hub on loopback with a funded buyer and simgate's own agent with simulated SIMs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.hub.conftest import Hub, buyer, hub, make_buyer, reference_agent  # noqa: F401


@pytest.fixture
async def stocked_hub(hub: Hub, tmp_path: Path) -> AsyncIterator[Hub]:  # noqa: F811
    async with reference_agent(hub, tmp_path / "agent", simulate=20, sim_seed=7):
        yield hub


@pytest.fixture
async def stocked_buyer(
    stocked_hub: Hub,
    make_buyer: Callable[..., Awaitable[str]],  # noqa: F811
) -> str:
    return await make_buyer("fuzzer", balance=10_000_000)

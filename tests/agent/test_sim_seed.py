"""The simulated pool's seed: drawn once per data folder unless one is configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime
from simgate.agent.simulated import generate_pool
from simgate.core.clock import FrozenClock


async def _numbers(config: AgentConfig, clock: FrozenClock) -> list[int]:
    async with AgentRuntime(config, clock) as agent:
        rows = await agent.db.run(
            lambda c: c.execute("SELECT phone FROM sims ORDER BY sim_key").fetchall()
        )
    return [int(row[0]) for row in rows]


async def test_two_folders_without_a_seed_hand_out_different_numbers(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, tmp_path: Path
) -> None:
    first = await _numbers(make_config(data_dir=tmp_path / "one"), clock)
    second = await _numbers(make_config(data_dir=tmp_path / "two"), clock)
    assert len(first) == len(second) == 10
    assert set(first).isdisjoint(second)


async def test_a_restarted_agent_keeps_its_numbers(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, tmp_path: Path
) -> None:
    config = make_config(data_dir=tmp_path / "one")
    before = await _numbers(config, clock)
    after = await _numbers(config, clock)
    assert before == after


async def test_a_configured_seed_wins_over_the_kept_one(
    make_config: Callable[..., AgentConfig], clock: FrozenClock, tmp_path: Path
) -> None:
    kept = await _numbers(make_config(data_dir=tmp_path / "one"), clock)
    config = make_config(data_dir=tmp_path / "one", sim_seed=5)
    seeded = await _numbers(config, clock)
    assert seeded == [sim.phone for sim in generate_pool(config, 5)]
    assert seeded != kept
    # The configured seed is not kept: without it, the folder's own numbers come back.
    assert await _numbers(make_config(data_dir=tmp_path / "one"), clock) == kept

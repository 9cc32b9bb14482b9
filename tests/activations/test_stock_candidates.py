"""Which agents' stock a rental may take (suppliers.repository.stock_candidates), for each shape
of its statement: any operator or one operator (its own stock and `any` stock), all agents
with a count above zero, or one agent (a repeat) whatever its count."""

from __future__ import annotations

from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.models import SupplierStock
from simgate.suppliers import repository as repo
from simgate.suppliers import service as suppliers


async def test_each_shape_picks_its_rows_best_first(db: Database, clock: FrozenClock) -> None:
    now = clock.now()
    async with db.transaction() as session:
        low = await suppliers.add(session, "low", "http://low.test/", "k-low", now, priority=1)
        high = await suppliers.add(session, "high", "http://high.test/", "k-high", now, priority=5)
        off = await suppliers.add(session, "off", "http://off.test/", "k-off", now, priority=9)
        off.enabled = False
        rows = [
            (low.id, "any", "vk", 5),
            (low.id, "mts", "vk", 3),
            (low.id, "mts", "tg", 7),
            (high.id, "megafon", "vk", 10),
            (high.id, "mts", "vk", 0),
            (off.id, "mts", "vk", 50),
        ]
        for supplier_id, operator, code, count in rows:
            session.add(
                SupplierStock(
                    supplier_id=supplier_id,
                    country_slug="russia",
                    operator_slug=operator,
                    service_code=code,
                    count=count,
                    updated_at=now,
                )
            )
    async with db.read() as session:

        async def picked(operator: str, supplier_id: int | None = None) -> list[tuple[str, str]]:
            found = await repo.stock_candidates(
                session, "russia", "vk", operator, supplier_id=supplier_id
            )
            return [(s.name, o) for s, o, _n in found]

        assert await picked("any") == [("high", "megafon"), ("low", "any"), ("low", "mts")]
        assert await picked("mts") == [("low", "any"), ("low", "mts")]
        assert await picked("megafon") == [("high", "megafon"), ("low", "any")]
        assert await picked("mts", high.id) == [("high", "mts")]  # a zero count too
        assert await picked("any", low.id) == [("low", "any"), ("low", "mts")]
        assert await picked("beeline", high.id) == []

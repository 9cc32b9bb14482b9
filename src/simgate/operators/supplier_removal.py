"""Removing a supplier added by mistake, as an operator action with its audit row."""

from __future__ import annotations

from simgate.audit import service as audit
from simgate.audit.service import Actor
from simgate.core.deps import Deps
from simgate.suppliers import removal


async def remove_supplier(deps: Deps, actor: Actor, name: str) -> bool:
    """Delete a supplier nothing refers to (SupplierNotFound, SupplierInUse: nothing changes
    and nothing is recorded); False when this request was recorded before."""
    async with deps.db.transaction() as session:
        if not await audit.record(session, actor, "supplier.remove", name, deps.clock.now()):
            return False
        await removal.remove(session, name)
    return True

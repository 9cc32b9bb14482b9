"""Removing a supplier: only one that nothing refers to, so no rental or SMS loses its agent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import validate
from simgate.core.errors import Conflict
from simgate.suppliers import repository as repo
from simgate.suppliers.service import SupplierNotFound

OPEN_WORK = ("open rentals", "open forwardings", "calls owed")


class SupplierInUse(Conflict):
    code = "SUPPLIER_IN_USE"


def _listed(usage: dict[str, int], names: tuple[str, ...] | None = None) -> str:
    shown = (what for what in usage if usage[what] and (names is None or what in names))
    return ", ".join(f"{what}: {usage[what]}" for what in shown)


async def remove(session: AsyncSession, name: str) -> None:
    """Delete a supplier nothing refers to. SupplierInUse while it has open rentals (disable
    it and wait), and for good once rentals or SMS of its own are on record (disable it)."""
    supplier = await repo.lock_by_name(session, name)
    if supplier is None:
        raise SupplierNotFound(f"no supplier {validate.shown(name)}")
    usage = await repo.usage(session, supplier.id)
    shown = validate.shown(name)
    if any(usage[what] for what in OPEN_WORK):
        raise SupplierInUse(
            f"supplier {shown} is in use ({_listed(usage, OPEN_WORK)}); disable it with "
            f"`simgate supplier set {name} --disabled` and remove it once they are closed"
        )
    if any(usage.values()):
        raise SupplierInUse(
            f"supplier {shown} is on record ({_listed(usage)}) and cannot be deleted; "
            f"`simgate supplier set {name} --disabled` stops using it"
        )
    await repo.delete_supplier(session, supplier.id)

"""The console's routes, added to the hub's app by the cabinet's `install`."""

from __future__ import annotations

from fastapi import FastAPI

from simgate.web.admin import (
    accounts,
    keys,
    overview,
    prices,
    queue,
    senders,
    stoplist,
    suppliers,
)


def install(app: FastAPI) -> None:
    for module in (overview, suppliers, accounts, senders, prices, stoplist, queue, keys):
        app.include_router(module.router)

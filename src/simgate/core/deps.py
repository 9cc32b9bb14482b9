"""What domain code needs from the running hub: storage, the clock and the settings.

Domain flows and jobs take this (or the few parts they use) rather than the hub's whole
context, so they can be run, and tested, without the hub's wiring; `simgate.hub` builds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.core.settings import Settings


@dataclass(frozen=True)
class Deps:
    db: Database
    clock: Clock
    settings: Settings

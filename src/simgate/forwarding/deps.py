"""What the forwarding flows and worker use: the common parts and the agents' forwarding
client (injectable, like every outward client)."""

from __future__ import annotations

from dataclasses import dataclass

from simgate.core.clock import Clock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.suppliers.forwarding_client import ForwardingClient


@dataclass(frozen=True)
class ForwardingDeps:
    db: Database
    clock: Clock
    settings: Settings
    agents: ForwardingClient

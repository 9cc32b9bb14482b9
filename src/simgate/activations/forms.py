"""How a number is rented, in the domain's words; each dialect renders its own (onlinesim:
`index`, `repeat`, `deferr`)."""

from __future__ import annotations

from enum import StrEnum


class RentalForm(StrEnum):
    ONLINE = "online"  # a number now, or nothing
    REPEAT = "repeat"  # a number this account had before, from the same agent
    DEFERRED = "deferred"  # queued until an agent has a number

"""The one back-off rule: a first delay that doubles with each attempt, up to a cap.

Every retry in the hub (the outbox, emails, outbound SMS, forwarding calls, a resting agent,
the SMSC reconnect, a database that went away) spaces its attempts with `delay`, each with
its own first delay and cap.
"""

from __future__ import annotations

import random

# 2**62 times any first delay worth having is past any cap, so clamping the exponent there
# never changes a result; it only keeps float arithmetic from overflowing.
_MAX_EXPONENT = 62


def delay(
    first: float,
    attempt: int,
    *,
    cap: float,
    max_doublings: int | None = None,
    jitter: float = 0.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retrying after the `attempt`-th failure (1-based).

    `first * 2**(attempt - 1)`, with the exponent at most `max_doublings` when given, then at
    most `cap`. `jitter` spreads the result by ± that fraction, so peers that failed together
    do not all come back at the same instant.
    """
    exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
    if max_doublings is not None:
        exponent = min(exponent, max_doublings)
    seconds: float = min(first * 2.0**exponent, cap)
    if jitter:
        seconds *= (rng or random).uniform(1 - jitter, 1 + jitter)
    return seconds

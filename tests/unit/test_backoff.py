"""The one back-off rule, at each shape its callers use."""

from __future__ import annotations

import random

import pytest

from simgate.core import backoff


def test_doubles_from_the_first_delay_up_to_the_cap() -> None:
    delays = [backoff.delay(10.0, attempt, cap=300.0) for attempt in range(1, 8)]
    assert delays == [10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0]


def test_attempt_zero_or_below_waits_the_first_delay() -> None:
    assert backoff.delay(5.0, 0, cap=60.0) == 5.0
    assert backoff.delay(5.0, -3, cap=60.0) == 5.0


def test_max_doublings_stops_the_growth_below_the_cap() -> None:
    # The outbox's rule: at most 5 doublings, whatever the cap.
    assert backoff.delay(1.0, 6, cap=1000.0, max_doublings=5) == 32.0
    assert backoff.delay(1.0, 50, cap=1000.0, max_doublings=5) == 32.0
    assert backoff.delay(1.0, 5, cap=1000.0, max_doublings=5) == 16.0


def test_a_huge_attempt_count_is_capped_not_an_overflow() -> None:
    assert backoff.delay(0.05, 10_000, cap=5.0) == 5.0


@pytest.mark.parametrize("attempt", [1, 3, 12])
def test_jitter_stays_within_its_fraction_and_varies(attempt: int) -> None:
    rng = random.Random(7)
    base = backoff.delay(0.5, attempt, cap=30.0)
    seen = {backoff.delay(0.5, attempt, cap=30.0, jitter=0.2, rng=rng) for _ in range(200)}
    assert all(base * 0.8 <= s <= base * 1.2 for s in seen)
    assert len(seen) > 100
    assert min(seen) < base < max(seen)


def test_the_call_sites_keep_their_intervals() -> None:
    # Outbox FINISH_ACTIVATION and forwarding calls: first 10 s, 5 doublings, 300 s at most.
    assert [backoff.delay(10.0, a, cap=300.0, max_doublings=5) for a in (1, 2, 5, 6, 9)] == [
        10.0,
        20.0,
        160.0,
        300.0,
        300.0,
    ]
    # Account emails: 30 s doubling up to an hour.
    assert backoff.delay(30.0, 7, cap=3600.0, max_doublings=10) == 1920.0
    assert backoff.delay(30.0, 8, cap=3600.0, max_doublings=10) == 3600.0
    # A resting agent: 5 s after its first fault, 60 s from its fifth on.
    assert [backoff.delay(5.0, n, cap=60.0, max_doublings=16) for n in (1, 4, 5)] == [
        5.0,
        40.0,
        60.0,
    ]

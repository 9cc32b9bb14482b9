"""The forwarding transition table: every edge walked, every other pair refused."""

from __future__ import annotations

import itertools

import pytest

from simgate.forwarding.states import (
    IN_FLIGHT,
    PAYING,
    TRANSITIONS,
    Event,
    IllegalTransition,
    Status,
    next_status,
    removed,
)


@pytest.mark.parametrize(("edge", "target"), list(TRANSITIONS.items()))
def test_every_edge(edge, target):
    status, event = edge
    assert next_status(status, event) is target


def test_every_other_pair_is_illegal():
    for status, event in itertools.product(Status, Event):
        if (status, event) not in TRANSITIONS:
            with pytest.raises(IllegalTransition):
                next_status(status, event)


def test_a_removed_forwarding_never_works_again():
    # From CANCELLING or FINISHED the only way is to FINISHED or back to CANCELLING: no event
    # can make it WORKING (and paying) again.
    for (status, _), target in TRANSITIONS.items():
        if removed(status):
            assert removed(target)
    assert all(next_status(s, Event.REMOVE) is Status.CANCELLING for s in IN_FLIGHT)


def test_only_working_forwardings_pay_and_every_live_one_can_be_removed():
    assert PAYING == (Status.WORKING,)
    for status in Status:
        if not removed(status):
            assert next_status(status, Event.REMOVE) is Status.CANCELLING

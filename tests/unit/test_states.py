"""The transition table: every edge walked, every other pair refused."""

from __future__ import annotations

import itertools

import pytest

from simgate.activations.states import (
    EFFECTS,
    TRANSITIONS,
    Event,
    IllegalTransition,
    State,
    closing_event,
    finish_status,
    next_state,
)


@pytest.mark.parametrize(("edge", "target"), list(TRANSITIONS.items()))
def test_every_edge(edge, target):
    state, event = edge
    assert next_state(state, event) is target


def test_every_other_pair_is_illegal():
    for state, event in itertools.product(State, Event):
        if (state, event) not in TRANSITIONS:
            with pytest.raises(IllegalTransition):
                next_state(state, event)


def test_final_states_have_no_way_out_but_refund():
    for (state, event), _ in TRANSITIONS.items():
        if state in (State.OVER_EMPTY, State.FAILED):
            pytest.fail(f"{state} must be final, found {event}")


def test_money_and_finish_effects():
    assert EFFECTS[Event.SELL].money == "capture" and finish_status(Event.SELL, False) == 3
    assert finish_status(Event.SELL, True) == 1
    assert EFFECTS[Event.CLOSE_EMPTY].money == "release"
    assert finish_status(Event.CLOSE_EMPTY, False) == 4
    assert finish_status(Event.CLOSE_EMPTY, True) == 1
    assert finish_status(Event.REFUND, True) == 5
    assert finish_status(Event.CANCEL_POOL, False) is None
    assert closing_event(True) is Event.SELL and closing_event(False) is Event.CLOSE_EMPTY

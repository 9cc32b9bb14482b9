"""The one table of activation transitions. Nothing else decides a state.

States are stored in the domain's words; each dialect renders them (onlinesim: TZ_INPOOL,
TZ_NUM_WAIT, TZ_NUM_ANSWER, TZ_OVER_OK, TZ_OVER_EMPTY). FAILED is an online request that got
no number, never shown to the buyer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    INPOOL = "pending"  # waiting for an agent's number
    NUM_WAIT = "waiting"  # a number, no SMS yet
    NUM_ANSWER = "answered"  # at least one SMS
    OVER_OK = "sold"  # closed with an SMS: the buyer paid
    OVER_EMPTY = "refunded"  # closed without one (or refunded): the buyer paid nothing
    FAILED = "failed"


class Event(StrEnum):
    ASSIGN = "assign"  # an agent handed out a number
    FAIL = "fail"  # no agent had a number (online request)
    CANCEL_POOL = "cancel_pool"  # the buyer cancelled, or the pool wait ran out
    SMS = "sms"  # an SMS for this activation arrived
    REVISE = "revise"  # the buyer wants the next code
    SELL = "sell"  # closed with at least one SMS: the buyer pays
    CLOSE_EMPTY = "close_empty"  # closed with no SMS: the buyer is refunded
    REFUND = "refund"  # an operator refunds after a problem


OPEN_STATES = (State.INPOOL, State.NUM_WAIT, State.NUM_ANSWER)
FINAL_STATES = (State.OVER_OK, State.OVER_EMPTY, State.FAILED)

TRANSITIONS: dict[tuple[State, Event], State] = {
    (State.INPOOL, Event.ASSIGN): State.NUM_WAIT,
    (State.INPOOL, Event.FAIL): State.FAILED,
    (State.INPOOL, Event.CANCEL_POOL): State.OVER_EMPTY,
    (State.NUM_WAIT, Event.SMS): State.NUM_ANSWER,
    (State.NUM_ANSWER, Event.SMS): State.NUM_ANSWER,
    (State.NUM_ANSWER, Event.REVISE): State.NUM_WAIT,
    (State.NUM_WAIT, Event.SELL): State.OVER_OK,
    (State.NUM_ANSWER, Event.SELL): State.OVER_OK,
    (State.NUM_WAIT, Event.CLOSE_EMPTY): State.OVER_EMPTY,
    (State.NUM_ANSWER, Event.REFUND): State.OVER_EMPTY,
    (State.OVER_OK, Event.REFUND): State.OVER_EMPTY,
}


@dataclass(frozen=True)
class Effect:
    money: str | None  # "capture" | "release" | "refund" | None
    finish_status: int | None  # FINISH_ACTIVATION status owed to the agent, if any


EFFECTS: dict[Event, Effect] = {
    Event.ASSIGN: Effect(None, None),
    Event.FAIL: Effect("release", None),
    Event.CANCEL_POOL: Effect("release", None),
    Event.SMS: Effect(None, None),
    Event.REVISE: Effect(None, None),
    Event.SELL: Effect("capture", 3),
    Event.CLOSE_EMPTY: Effect("release", 4),
    Event.REFUND: Effect("refund", 5),
}

BAN_FINISH_STATUS = 1


class IllegalTransition(Exception):
    def __init__(self, state: State, event: Event) -> None:
        super().__init__(f"{event.value} is not allowed in {state.value}")
        self.state = state
        self.event = event


def next_state(state: State, event: Event) -> State:
    """The state after `event`, or IllegalTransition."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def closing_event(has_sms: bool) -> Event:
    """How an assigned activation ends: sold when any SMS arrived, refunded otherwise."""
    return Event.SELL if has_sms else Event.CLOSE_EMPTY


def finish_status(event: Event, banned: bool) -> int | None:
    """FINISH_ACTIVATION status for the agent: a ban overrides sold/cancelled."""
    status = EFFECTS[event].finish_status
    if status in (3, 4) and banned:
        return BAN_FINISH_STATUS
    return status

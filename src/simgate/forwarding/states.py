"""The one table of forwarding transitions. Nothing else decides a forwarding's status.

Statuses are the spec's forwarding statuses (1 working … 5 sent for blocking) plus SETTING:
the hub has recorded that it is about to send FORWARD_SET and has not yet recorded the
answer. That row is written before the agent is called, so a hub that dies in between
leaves a trace the worker finds and cancels (Event.ORPHAN).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Status(IntEnum):
    SETTING = 0  # FORWARD_SET in flight for a new forwarding (not a spec status)
    WORKING = 1
    BLOCKED = 2
    FINISHED = 3
    REPLACING = 4  # FORWARD_SET in flight for a new number
    CANCELLING = 5  # removed; FORWARD_CANCEL is owed to the agent


class Event(StrEnum):
    SET = "set"  # the agent set the forwarding
    SET_REFUSED = "set_refused"  # the agent refused FORWARD_SET: nothing is forwarded
    SET_UNKNOWN = "set_unknown"  # FORWARD_SET got no answer: it may be set, so cancel it
    ORPHAN = "orphan"  # FORWARD_SET's answer was never recorded (the hub died): cancel it
    CONFIRM = "confirm"  # the agent reports it in force (setForwardStatusEnable)
    POLLED = "polled"  # a balance poll's answer is recorded
    BLOCK = "block"  # the network no longer holds it
    REPLACE = "replace"  # forwardingSave with a new number: FORWARD_SET goes out
    REPLACED = "replaced"  # the agent moved it to the new number
    REPLACE_FAILED = "replace_failed"  # the agent did not move it (the next poll tells)
    REMOVE = "remove"  # forwardingRemove
    CANCELLED = "cancelled"  # the agent answered FORWARD_CANCEL
    SET_LANDED = "set_landed"  # a FORWARD_SET returned after the removal: cancel again


# While a FORWARD_SET is in flight (SETTING, REPLACING) a removal must not send FORWARD_CANCEL
# yet: the agent could apply the cancel first and the set after it. See service.remove.
IN_FLIGHT = (Status.SETTING, Status.REPLACING)
# Top-ups are bought only for these.
PAYING = (Status.WORKING,)

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.SETTING, Event.SET): Status.WORKING,
    (Status.SETTING, Event.SET_REFUSED): Status.FINISHED,
    (Status.SETTING, Event.SET_UNKNOWN): Status.CANCELLING,
    (Status.SETTING, Event.ORPHAN): Status.CANCELLING,
    (Status.SETTING, Event.REMOVE): Status.CANCELLING,
    (Status.WORKING, Event.CONFIRM): Status.WORKING,
    (Status.BLOCKED, Event.CONFIRM): Status.WORKING,
    (Status.WORKING, Event.POLLED): Status.WORKING,
    (Status.WORKING, Event.BLOCK): Status.BLOCKED,
    (Status.WORKING, Event.REPLACE): Status.REPLACING,
    (Status.BLOCKED, Event.REPLACE): Status.REPLACING,
    (Status.REPLACING, Event.REPLACED): Status.WORKING,
    (Status.REPLACING, Event.REPLACE_FAILED): Status.WORKING,
    (Status.REPLACING, Event.REMOVE): Status.CANCELLING,
    (Status.WORKING, Event.REMOVE): Status.CANCELLING,
    (Status.BLOCKED, Event.REMOVE): Status.CANCELLING,
    (Status.CANCELLING, Event.CANCELLED): Status.FINISHED,
    (Status.CANCELLING, Event.SET_LANDED): Status.CANCELLING,
    (Status.FINISHED, Event.SET_LANDED): Status.CANCELLING,
}


class IllegalTransition(Exception):
    def __init__(self, status: Status, event: Event) -> None:
        super().__init__(f"{event.value} is not allowed in {status.name}")
        self.status = status
        self.event = event


def next_status(status: Status, event: Event) -> Status:
    """The status after `event`, or IllegalTransition."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(status, event) from None


def removed(status: Status) -> bool:
    """The buyer removed it (or it never came to be): no payment is made any more."""
    return status in (Status.CANCELLING, Status.FINISHED)

"""Outbound SMS use cases of an account: send, status, balance, templates, sender names.
Callers own the transaction; nothing here commits."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from simgate.core import validate
from simgate.core.money import parse_amount
from simgate.core.settings import Settings
from simgate.delivery import errors, queue
from simgate.delivery import repository as repo
from simgate.delivery.auth import epoch_seconds
from simgate.delivery.segmentation import segment
from simgate.ledger import service as ledger
from simgate.models.delivery import DeliverySender, DeliveryTemplate

MAX_NUMBERS = 50
STATUS_CHUNK = 500
_ALPHA_SENDER = re.compile(r"[A-Za-z0-9 ._\-]{1,11}")
_NUMERIC_SENDER = re.compile(r"\d{1,15}")
_PHONE_NOISE = re.compile(r"[\s()\-]")


@dataclass(frozen=True)
class Recipient:
    """The outcome of a send for one number, keyed by the number as the caller wrote it."""

    phone: str
    public_id: str | None = None
    cost: int = 0
    parts: int = 0
    error: str | None = None  # errors.INVALID_NUMBER | STOP_LISTED | INSUFFICIENT_FUNDS


def normalize_phone(raw: str) -> str | None:
    """Digits with the country code, or None. A Russian national form (8XXXXXXXXXX or a bare
    10-digit 9XXXXXXXXX, as in the spec's own example) gets the 7 the SMSC needs."""
    digits = _PHONE_NOISE.sub("", raw).removeprefix("+")
    if not digits.isdecimal() or not digits.isascii():
        return None
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits.startswith("9"):
        digits = "7" + digits
    return digits if 10 <= len(digits) <= 15 else None


def validate_sender_name(name: str) -> str:
    """An alphanumeric name of up to 11 characters with a letter, or up to 15 digits."""
    name = name.strip()
    numeric = _NUMERIC_SENDER.fullmatch(name) is not None
    alpha = _ALPHA_SENDER.fullmatch(name) is not None and any(c.isalpha() for c in name)
    if not (numeric or alpha):
        raise errors.BadSenderName(f"bad sender name {validate.shown(name)}")
    return name


def forbidden_word(settings: Settings, text: str) -> str | None:
    for word in settings.sms_forbidden_words:
        if word.strip() and re.search(rf"(?<!\w){re.escape(word.strip())}(?!\w)", text, re.I):
            return word
    return None


def _split_numbers(phone_list: str) -> list[str]:
    seen: dict[str, None] = {}
    for item in phone_list.split(","):
        if item.strip():
            seen.setdefault(item.strip(), None)
    return list(seen)


async def _approved_sender(session: AsyncSession, account_id: int, name: str) -> None:
    sender = await repo.sender(session, account_id, validate_sender_name(name))
    if sender is None:
        raise errors.SenderNotRegistered(f"sender {name!r} is not registered")
    if sender.state != "completed":
        raise errors.SenderNotApproved(f"sender {name!r} is {sender.state}")


def new_public_id(now: dt.datetime, index: int) -> str:
    """22 digits like the spec's ids: seconds, 8 random digits, the number's index."""
    return f"{epoch_seconds(now):010d}{secrets.randbelow(10**8):08d}{index:04d}"


async def send(
    session: AsyncSession,
    settings: Settings,
    account_id: int,
    *,
    phones: str,
    text: str,
    sender: str,
    now: dt.datetime,
) -> list[Recipient]:
    """Queue `text` to every number of the comma list, holding its price per number."""
    for name, value in (("text", text), ("phone", phones), ("sender", sender)):
        if not value.strip():
            raise errors.MissingParameter(name)
    numbers = _split_numbers(phones)
    if len(numbers) > MAX_NUMBERS:
        raise errors.TooManyNumbers(f"{len(numbers)} numbers; at most {MAX_NUMBERS}")
    await _approved_sender(session, account_id, sender)
    if forbidden_word(settings, text) is not None:
        raise errors.ForbiddenWords("the text contains a forbidden word")
    parts = segment(text)
    if parts.count > settings.sms_max_parts:
        raise errors.TextTooLong(f"{parts.count} parts; at most {settings.sms_max_parts}")
    normalized = {raw: normalize_phone(raw) for raw in numbers}
    if not any(normalized.values()):
        raise errors.NoValidNumbers("no valid number")
    stopped = await repo.stop_listed(session, [n for n in normalized.values() if n])
    price = parse_amount(settings.sms_part_price, settings.currency_exponent) * parts.count
    results: list[Recipient] = []
    for index, raw in enumerate(numbers, start=1):
        phone = normalized[raw]
        if phone is None:
            results.append(Recipient(raw, error=errors.INVALID_NUMBER))
        elif phone in stopped:
            results.append(Recipient(raw, error=errors.STOP_LISTED))
        else:
            message = _NewMessage(account_id, sender.strip(), phone, text, parts.encoding)
            results.append(await _enqueue(session, message, raw, parts.count, price, now, index))
    return results


@dataclass(frozen=True)
class _NewMessage:
    account_id: int
    sender: str
    phone: str
    text: str
    encoding: str


async def _enqueue(
    session: AsyncSession,
    message: _NewMessage,
    raw: str,
    parts: int,
    price: int,
    now: dt.datetime,
    index: int,
) -> Recipient:
    public_id = new_public_id(now, index)
    try:
        hold_id = await ledger.hold(session, message.account_id, price, now, f"sms {public_id}")
    except ledger.InsufficientFunds:
        return Recipient(raw, error=errors.INSUFFICIENT_FUNDS)
    values = {
        "public_id": public_id,
        "account_id": message.account_id,
        "sender": message.sender,
        "phone": message.phone,
        "text": message.text,
        "encoding": message.encoding,
        "parts": parts,
        "cost": price,
        "hold_id": hold_id,
        "state": queue.QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    await queue.insert_message(session, values, parts)
    return Recipient(raw, public_id=public_id, cost=price, parts=parts)


async def status(session: AsyncSession, account_id: int, ids: str) -> dict[str, str]:
    """Queue states of the account's messages named in the comma list, in the list's order."""
    wanted = list(dict.fromkeys(i.strip() for i in ids.split(",") if i.strip()))
    if not wanted:
        raise errors.MissingParameter("state")
    found: dict[str, str] = {}
    for start in range(0, len(wanted), STATUS_CHUNK):
        chunk = wanted[start : start + STATUS_CHUNK]
        found.update(await queue.states_by_public_id(session, account_id, chunk))
    if not found:
        raise errors.NoStatus("none of these ids belongs to the account")
    return {i: found[i] for i in wanted if i in found}


async def available_balance(session: AsyncSession, account_id: int) -> int:
    """What the account can spend now (held money excluded)."""
    return (await ledger.balance(session, account_id)).available


async def templates(session: AsyncSession, account_id: int) -> Sequence[DeliveryTemplate]:
    """The account's templates; EmptyResult when there are none."""
    found = await repo.templates(session, account_id)
    if not found:
        raise errors.EmptyResult("no templates")
    return found


async def add_template(
    session: AsyncSession, account_id: int, name: str, text: str, now: dt.datetime
) -> int:
    """A new named template; TemplateExists when the name is taken."""
    name = name.strip()
    if not name or len(name) > 64:
        raise errors.MissingParameter("name")
    if not text.strip():
        raise errors.MissingParameter("text")
    template_id = await repo.add_template(session, account_id, name, text, now)
    if template_id is None:
        raise errors.TemplateExists(f"template {name!r} exists")
    return template_id


async def senders(session: AsyncSession, account_id: int) -> Sequence[DeliverySender]:
    """The account's sender names with their moderation state; EmptyResult when none."""
    found = await repo.senders(session, account_id)
    if not found:
        raise errors.EmptyResult("no sender names")
    return found


async def request_sender(
    session: AsyncSession, account_id: int, name: str, now: dt.datetime
) -> str:
    """Ask an operator to approve a sender name; returns its state (a repeat changes nothing)."""
    if not name.strip():
        raise errors.MissingParameter("sender")
    name = validate_sender_name(name)
    await repo.add_sender(session, account_id, name, "moderation", now)
    sender = await repo.sender(session, account_id, name)
    assert sender is not None  # inserted or already there, in this transaction
    return sender.state

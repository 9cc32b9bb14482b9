"""Call forwardings in the cabinet: the account's forwardings, each with its payments, and what
the onlinesim forwarding methods offer (setForwardStatusEnable, forwardingSave,
forwardingRemove) through the same flows. Another account's forwarding is a 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from simgate.core.errors import DomainError
from simgate.forwarding import flows, queries
from simgate.forwarding import service as forwarding
from simgate.forwarding.errors import BadMinutes, ForwardNotFound
from simgate.web.delivery_pages import row_id
from simgate.web.pages import PageNotFound, context_of, member, page, posted, text_field

router = APIRouter(include_in_schema=False)

MAX_PAGE = 10**6
NOTICES = ("forward_saved", "forward_confirmed", "forward_removed")


@router.get("/forwardings")
async def forwardings_page(request: Request, page_text: str = Query("1", alias="page")) -> Response:
    me = await member(request)
    number = int(page_text) if page_text.isascii() and page_text.isdigit() else 1
    number = number if 1 <= number <= MAX_PAGE else 1
    total, rows = await queries.page(context_of(request).db, me.account_id, number, [])
    last = max(1, -(-total // forwarding.PAGE_SIZE))
    return page(
        request,
        "forwardings.html",
        me=me,
        page="forwardings",
        rows=rows,
        status_word=forwarding.status_word,
        page_number=number,
        last_page=last,
    )


async def _detail(
    request: Request, forwarding_id: str, status_code: int = 200, **values: Any
) -> Response:
    me = await member(request)
    wanted = row_id(forwarding_id)
    if wanted is None:
        raise PageNotFound
    try:
        found, payments = await queries.payments(context_of(request).db, me.account_id, wanted)
    except ForwardNotFound as exc:
        raise PageNotFound from exc
    return page(
        request,
        "forwarding.html",
        status_code,
        me=me,
        page="forwardings",
        fw=found,
        payments=payments,
        status=forwarding.status_word(found),
        error=values.pop("error", None),
        **values,
    )


@router.get("/forwardings/{forwarding_id}")
async def forwarding_page(
    request: Request, forwarding_id: str, notice: str | None = None
) -> Response:
    return await _detail(request, forwarding_id, notice=notice if notice in NOTICES else None)


async def _act(request: Request, forwarding_id: str, action: str) -> Response:
    me, form = await posted(request)
    wanted = row_id(forwarding_id)
    if wanted is None:
        raise PageNotFound
    deps = context_of(request).forwarding
    try:
        if action == "confirm":
            found = await queries.one(deps.db, me.account_id, wanted)
            await flows.confirm(deps, me.account_id, found.activation_id)
        elif action == "remove":
            await flows.remove(deps, me.account_id, wanted)
        else:
            number, changes = _changes(form)
            await flows.save(deps, me.account_id, wanted, number, changes)
    except ForwardNotFound as exc:
        raise PageNotFound from exc
    except DomainError as exc:
        return await _detail(request, forwarding_id, 400, error=exc.code)
    done = {"confirm": "forward_confirmed", "remove": "forward_removed"}.get(
        action, "forward_saved"
    )
    return RedirectResponse(f"/forwardings/{wanted}?notice={done}", 303)


def _minutes(form: FormData, name: str) -> int | None:
    text = text_field(form, name)
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise BadMinutes(f"{name} is not a number of minutes")
    return int(text)


def _changes(form: FormData) -> tuple[str | None, forwarding.Changes]:
    """forwardingSave's fields as the form sends them (the checkbox is absent when off)."""
    number_text = text_field(form, "forward_number")
    changes = forwarding.Changes(
        min_minutes=_minutes(form, "minutes"),
        auto_extend=form.get("auto") == "1",
        max_minutes=_minutes(form, "max_minutes"),
    )
    forwarding.check_changes(changes)
    return (forwarding.normalise_number(number_text) if number_text else None), changes


@router.post("/forwardings/{forwarding_id}/confirm")
async def confirm(request: Request, forwarding_id: str) -> Response:
    return await _act(request, forwarding_id, "confirm")


@router.post("/forwardings/{forwarding_id}/save")
async def save(request: Request, forwarding_id: str) -> Response:
    return await _act(request, forwarding_id, "save")


@router.post("/forwardings/{forwarding_id}/remove")
async def remove(request: Request, forwarding_id: str) -> Response:
    return await _act(request, forwarding_id, "remove")

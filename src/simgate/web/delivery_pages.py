"""Outbound SMS in the cabinet: the signing secret, sender names, templates and sent messages.
Every call goes to `simgate.delivery.cabinet`, which applies the delivery-api's own rules;
every message is looked up by (account, id), so another account's is a 404."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from simgate.core.errors import DomainError
from simgate.delivery import cabinet as delivery
from simgate.delivery.errors import MessageNotFound, TemplateNotFound
from simgate.web.pages import PageNotFound, context_of, member, page, posted, text_field

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
ROW_ID_MAX = 2**63 - 1  # a bigger id is no row's: refused before it reaches the database
NOTICES = ("sender_requested", "template_added", "template_removed")


def row_id(text: str | None) -> int | None:
    """A keyset cursor or a path id as an integer a BIGINT column holds; None otherwise."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= ROW_ID_MAX else None


async def _show(request: Request, status_code: int = 200, **values: Any) -> Response:
    me = await member(request)
    ctx = context_of(request)
    found = await delivery.overview(ctx.deps, me.account_id)
    return page(
        request,
        "delivery.html",
        status_code,
        me=me,
        page="delivery",
        overview=found,
        new_secret=values.pop("new_secret", None),
        error=values.pop("error", None),
        entered=values.pop("entered", {}),
        **values,
    )


@router.get("/delivery")
async def delivery_page(request: Request, notice: str | None = None) -> Response:
    return await _show(request, notice=notice if notice in NOTICES else None)


@router.post("/delivery/secret")
async def rotate_secret(request: Request) -> Response:
    me, _ = await posted(request)
    secret = await delivery.rotate_secret(context_of(request).deps, me.account_id)
    return await _show(request, new_secret=secret)


@router.post("/delivery/senders")
async def request_sender(request: Request) -> Response:
    me, form = await posted(request)
    name = text_field(form, "sender")
    try:
        await delivery.request_sender(context_of(request).deps, me.account_id, name)
    except DomainError as exc:
        return await _show(request, 400, error=exc.code, entered={"sender": name})
    return RedirectResponse("/delivery?notice=sender_requested", 303)


@router.post("/delivery/templates")
async def add_template(request: Request) -> Response:
    me, form = await posted(request)
    name = text_field(form, "name")
    body = form.get("text")
    text = body if isinstance(body, str) else ""
    try:
        await delivery.add_template(context_of(request).deps, me.account_id, name, text)
    except DomainError as exc:
        entered = {"name": name, "text": text}
        return await _show(request, 400, error=exc.code, entered=entered)
    return RedirectResponse("/delivery?notice=template_added", 303)


@router.post("/delivery/templates/{template_id}/remove")
async def remove_template(request: Request, template_id: str) -> Response:
    me, _ = await posted(request)
    wanted = row_id(template_id)
    if wanted is None:
        raise PageNotFound
    try:
        await delivery.remove_template(context_of(request).deps, me.account_id, wanted)
    except TemplateNotFound as exc:
        raise PageNotFound from exc
    return RedirectResponse("/delivery?notice=template_removed", 303)


@router.get("/delivery/sent")
async def sent_page(request: Request, before: str | None = None) -> Response:
    me = await member(request)
    found = await delivery.sent(context_of(request).deps, me.account_id, row_id(before), PAGE_SIZE)
    next_url = f"/delivery/sent?before={found.next_before}" if found.next_before else None
    return page(
        request,
        "sent.html",
        me=me,
        page="delivery",
        messages=found.messages,
        next_url=next_url,
    )


@router.get("/delivery/sent/{message_id}")
async def sent_message(request: Request, message_id: str) -> Response:
    me = await member(request)
    wanted = row_id(message_id)
    if wanted is None:
        raise PageNotFound
    try:
        found = await delivery.message(context_of(request).deps, me.account_id, wanted)
    except MessageNotFound as exc:
        raise PageNotFound from exc
    return page(request, "sent_message.html", me=me, page="delivery", message=found)

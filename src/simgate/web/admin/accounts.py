"""Accounts in the console: search, one account in full (rentals, ledger), credit or debit
with a reason, block or unblock, API access on or off, limits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from simgate.accounts.errors import AccountNotFound
from simgate.audit.service import Actor
from simgate.core.deps import Deps
from simgate.core.errors import DomainError
from simgate.operators import actions, catalog_actions, records
from simgate.web.admin.guard import (
    amount_field,
    back,
    console_page,
    int_field,
    operator,
    operator_form,
)
from simgate.web.pages import PageNotFound, context_of, text_field

router = APIRouter(include_in_schema=False)

FOUND_MAX = 100
ENTRIES_PAGE = 50


@router.get("/admin/accounts")
async def search(request: Request, q: str = "") -> Response:
    me = await operator(request)
    found = await records.find_accounts(context_of(request).db, q.strip()[:64], FOUND_MAX)
    return console_page(
        request, "accounts.html", me, section="accounts", found=found, query=q.strip()[:64]
    )


def _account_url(name: str) -> str:
    return "/admin/account?" + urlencode({"name": name})


async def _show(
    request: Request, name: str, before: int | None = None, error: DomainError | None = None
) -> Response:
    me = await operator(request)
    try:
        record = await records.account_record(context_of(request).db, name, before, ENTRIES_PAGE)
    except AccountNotFound as exc:
        raise PageNotFound from exc
    next_url = None
    if record.next_before is not None:
        next_url = _account_url(name) + f"&before={record.next_before}"
    return console_page(
        request,
        "account.html",
        me,
        400 if error else 200,
        section="accounts",
        record=record,
        next_url=next_url,
        error=error,
    )


@router.get("/admin/account")
async def show(request: Request, name: str = "", before: str | None = None) -> Response:
    first = int(before) if before and before.isdigit() and len(before) < 19 else None
    return await _show(request, name, first)


Action = Callable[[Deps, Actor, str, FormData], Awaitable[bool]]


async def _act(request: Request, action: Action) -> Response:
    _, actor, form = await operator_form(request)
    name = text_field(form, "name")
    try:
        applied = await action(context_of(request).deps, actor, name, form)
    except AccountNotFound as exc:
        raise PageNotFound from exc
    except DomainError as exc:
        return await _show(request, name, error=exc)
    return back(_account_url(name), applied)


MoneyMove = Callable[[Deps, Actor, str, int, str], Awaitable[bool]]


async def _move_money(request: Request, move: MoneyMove) -> Response:
    """A credit or debit form: the amount and the reason it is recorded with."""

    async def act(deps: Deps, actor: Actor, name: str, form: FormData) -> bool:
        amount = amount_field(request, form, "amount")
        return await move(deps, actor, name, amount, text_field(form, "reason"))

    return await _act(request, act)


@router.post("/admin/account/credit")
async def credit(request: Request) -> Response:
    return await _move_money(request, actions.credit)


@router.post("/admin/account/debit")
async def debit(request: Request) -> Response:
    return await _move_money(request, actions.debit)


@router.post("/admin/account/flags")
async def flags(request: Request) -> Response:
    """One button per flag: each posts the flag's name and the value it sets."""

    async def act(deps: Deps, actor: Actor, name: str, form: FormData) -> bool:
        value = text_field(form, "value") == "on"
        flag = text_field(form, "flag")
        if flag == "blocked":
            return await actions.set_flags(deps, actor, name, blocked=value)
        if flag == "api_access":
            return await actions.set_flags(deps, actor, name, api_access=value)
        return False

    return await _act(request, act)


@router.post("/admin/account/limits")
async def limits(request: Request) -> Response:
    """Open rentals, getNum per minute and getNum in flight; an empty field stays as it is."""

    async def act(deps: Deps, actor: Actor, name: str, form: FormData) -> bool:
        return await catalog_actions.set_limits(
            deps,
            actor,
            name,
            max_open=int_field(form, "max_open"),
            per_minute=int_field(form, "per_minute"),
            parallel=int_field(form, "parallel"),
        )

    return await _act(request, act)

"""Suppliers in the console: add, edit (URL, key, priority, enabled), disable."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from simgate.core.errors import DomainError, InvalidInput
from simgate.operators import actions, dashboard
from simgate.web.admin.guard import back, console_page, int_field, operator, operator_form
from simgate.web.pages import context_of, text_field

router = APIRouter(include_in_schema=False)


async def _show(
    request: Request, error: DomainError | None = None, typed: dict[str, str] | None = None
) -> Response:
    me = await operator(request)
    ctx = context_of(request)
    figures = await dashboard.figures(ctx.db, ctx.clock.now())
    return console_page(
        request,
        "suppliers.html",
        me,
        400 if error else 200,
        section="suppliers",
        suppliers=figures.suppliers,
        error=error,
        typed=typed or {},
    )


@router.get("/admin/suppliers")
async def suppliers_page(request: Request) -> Response:
    return await _show(request)


def _timeout(text: str) -> float:
    try:
        value = float(text) if text else 3.0
    except ValueError:
        raise InvalidInput("timeout: not a number") from None
    return value


@router.post("/admin/suppliers")
async def add(request: Request) -> Response:
    _, actor, form = await operator_form(request)
    try:
        applied = await actions.add_supplier(
            context_of(request).deps,
            actor,
            text_field(form, "name"),
            text_field(form, "url"),
            text_field(form, "key"),
            priority=int_field(form, "priority", 0) or 0,
            timeout_seconds=_timeout(text_field(form, "timeout")),
        )
    except DomainError as exc:
        # The form comes back as typed (but for the key), to be corrected.
        kept = {k: text_field(form, k) for k in ("name", "url", "priority", "timeout")}
        return await _show(request, exc, kept)
    return back("/admin/suppliers", applied)


@router.post("/admin/suppliers/edit")
async def edit(request: Request) -> Response:
    _, actor, form = await operator_form(request)
    try:
        applied = await actions.change_supplier(
            context_of(request).deps,
            actor,
            text_field(form, "name"),
            url=text_field(form, "url") or None,
            key=text_field(form, "key") or None,
            priority=int_field(form, "priority"),
            enabled=form.get("enabled") == "on",
        )
    except DomainError as exc:
        return await _show(request, exc)
    return back("/admin/suppliers", applied)


async def _switch(request: Request, enabled: bool) -> Response:
    _, actor, form = await operator_form(request)
    deps = context_of(request).deps
    try:
        applied = await actions.change_supplier(
            deps, actor, text_field(form, "name"), enabled=enabled
        )
    except DomainError as exc:
        return await _show(request, exc)
    return back("/admin/suppliers", applied)


@router.post("/admin/suppliers/disable")
async def disable(request: Request) -> Response:
    return await _switch(request, False)


@router.post("/admin/suppliers/enable")
async def enable(request: Request) -> Response:
    return await _switch(request, True)

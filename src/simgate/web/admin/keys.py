"""Dev keys and the RSA key pair in the console: list, issue (shown once), revoke; the
published public key and those in their grace period, and "Rotate"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from simgate.core.errors import DomainError
from simgate.operators import security_actions as security
from simgate.web.admin.guard import back, console_page, int_field, operator, operator_form
from simgate.web.pages import context_of, text_field

router = APIRouter(include_in_schema=False)


async def _dev_keys(request: Request, status_code: int = 200, **values: Any) -> Response:
    me = await operator(request)
    keys = await security.dev_keys(context_of(request).deps)
    return console_page(
        request, "devkeys.html", me, status_code, section="devkeys", keys=keys, **values
    )


@router.get("/admin/devkeys")
async def dev_keys_page(request: Request) -> Response:
    return await _dev_keys(request)


@router.post("/admin/devkeys")
async def issue(request: Request) -> Response:
    """The new key is on the answer to this POST only: it is stored as a hash."""
    _, actor, form = await operator_form(request)
    note = text_field(form, "note")
    try:
        key = await security.issue_dev_key(context_of(request).deps, actor, note)
    except DomainError as exc:
        return await _dev_keys(request, 400, error=exc)
    if key is None:
        return back("/admin/devkeys", False)
    return await _dev_keys(request, new_key=key)


@router.post("/admin/devkeys/revoke")
async def revoke(request: Request) -> Response:
    _, actor, form = await operator_form(request)
    try:
        key_id = int_field(form, "id")
        if key_id is None:
            raise security.DevKeyNotFound("no dev key id")
        applied = await security.revoke_dev_key(context_of(request).deps, actor, key_id)
    except DomainError as exc:
        return await _dev_keys(request, 400, error=exc)
    return back("/admin/devkeys", applied)


@router.get("/admin/rsa")
async def rsa_page(request: Request) -> Response:
    me = await operator(request)
    found = await security.rsa_key_list(context_of(request).deps)
    return console_page(request, "rsa.html", me, section="rsa", rsa=found)


@router.post("/admin/rsa/rotate")
async def rotate(request: Request) -> Response:
    _, actor, _ = await operator_form(request)
    key_id = await security.rotate_rsa_key(context_of(request).deps, actor)
    return back("/admin/rsa", key_id is not None)

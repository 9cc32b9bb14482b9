"""register, login and resendConfirmation: the onlinesim methods that need no API key.

Replies follow the spec's text literally: `{"response":"1","active":"true"}` with strings.
Field errors: the spec lists `"email": ["Поле … обязательно для заполнения."]` among the
values of `response`, so `response` carries the field → messages object; the same lists are
repeated at the top level, where Laravel-style clients (onlinesim's own) look for them.
"""

from __future__ import annotations

from typing import Any

from simgate.accounts import login as logins
from simgate.accounts import registration, resend
from simgate.accounts.registration import FieldErrors, FieldProblem, InvalidFields
from simgate.accounts.throttle import TooManyAttempts
from simgate.dialects.common.params import BadParam, Params
from simgate.dialects.common.registry import PublicCall, Reply

ATTRIBUTES = {
    "name": "имя",
    "username": "имя пользователя",
    "email": "адрес электронной почты",
    "password": "пароль",
    "password_confirmation": "подтверждение пароля",
    "dev_key": "ключ разработчика",
    "terms": "правила сервиса",
}

MESSAGES = {
    FieldProblem.REQUIRED: "Поле {a} обязательно для заполнения.",
    FieldProblem.TOO_SHORT: "Количество символов в поле {a} должно быть не меньше {min}.",
    FieldProblem.TOO_LONG: "Значение поля {a} слишком длинное.",
    FieldProblem.NOT_CONFIRMED: "Поле {a} не совпадает с подтверждением.",
    FieldProblem.BAD_EMAIL: "Поле {a} должно быть действительным электронным адресом.",
    FieldProblem.BAD_USERNAME: (
        "Поле {a} может содержать только буквы, цифры, точку, дефис и подчёркивание."
    ),
    FieldProblem.TAKEN: "Такое значение поля {a} уже существует.",
    FieldProblem.NOT_ACCEPTED: "Вы должны принять {a}.",
    FieldProblem.UNKNOWN_DEV_KEY: "Выбранное значение для {a} некорректно.",
    FieldProblem.UNKNOWN: "Выбранное значение для {a} некорректно.",
    FieldProblem.UNDECRYPTABLE: (
        "Поле {a} должно быть зашифровано ключом /api/public.pem (RSA) и обёрнуто в base64."
    ),
}


def field_errors(fields: FieldErrors) -> dict[str, Any]:
    """The spec's shape of validation errors, in Russian."""
    messages = {
        field: [
            MESSAGES[problem].format(
                a=ATTRIBUTES.get(field, field), min=registration.MIN_PASSWORD_CHARS
            )
            for problem in problems
        ]
        for field, problems in fields.items()
    }
    return {"response": messages, **messages}


def _text(params: Params, name: str) -> str | None:
    return params.text(name) or None


def _terms(params: Params) -> bool | None:
    if params.raw("terms") is None:
        return None
    try:
        return params.flag("terms")
    except BadParam:
        return False


async def register(call: PublicCall) -> Any:
    p = call.params
    form = registration.RegistrationForm(
        name=_text(p, "name"),
        username=_text(p, "username"),
        email=_text(p, "email"),
        password=_text(p, "password"),
        password_confirmation=_text(p, "password_confirmation"),
        dev_key=_text(p, "dev_key"),
        terms=_terms(p),
    )
    try:
        done = await registration.register(call.ctx.deps, form, call.client_address)
    except TooManyAttempts:
        raise Reply("TIME_ERROR") from None
    except InvalidFields as invalid:
        return field_errors(invalid.fields)
    return {"response": "1", "active": "true" if done.confirmation_required else "false"}


async def login(call: PublicCall) -> Any:
    p = call.params
    form = logins.LoginForm(
        username=_text(p, "username"), password=_text(p, "password"), dev_key=_text(p, "dev_key")
    )
    try:
        done = await logins.login(call.ctx.deps, form, call.client_address)
    except TooManyAttempts:
        raise Reply("TIME_ERROR") from None
    except InvalidFields as invalid:
        return field_errors(invalid.fields)
    except logins.LoginFailed:
        raise Reply("LOGIN_ERROR") from None
    except logins.NotActivated:
        raise Reply("ERROR_ACCOUNT_NOT_ACTIVATE") from None
    # A successful login is of an activated account: "active" reads "true" as in the spec's
    # example reply.
    return {"response": "1", "active": "true", "apikey": done.api_key}


# Not in the 2019 spec, which has no way to get a new link (see README): `email` and
# `dev_key`; "active":"true" means a new link was mailed, "false" that none is needed.
async def resend_confirmation(call: PublicCall) -> Any:
    p = call.params
    try:
        done = await resend.resend(
            call.ctx.deps, _text(p, "email"), _text(p, "dev_key"), call.client_address
        )
    except TooManyAttempts:
        raise Reply("TIME_ERROR") from None
    except InvalidFields as invalid:
        return field_errors(invalid.fields)
    return {"response": "1", "active": "true" if done.mailed else "false"}

"""Assemble the OpenAPI 3.1 document from the dialects' tables and their declarations."""

from __future__ import annotations

from typing import Any

from simgate import __version__
from simgate.dialects.onlinesim.registry import TABLE as ONLINESIM
from simgate.dialects.onlinesim.sandbox import SANDBOX_METHODS
from simgate.dialects.smsactivate.registry import TABLE as SMSACTIVATE
from simgate.hub.apidoc import onlinesim, others, smsactivate
from simgate.hub.apidoc.others import DELIVERY, DELIVERY_ERROR, SANDBOX_ERR, SANDBOX_SUMMARY, SIGNED
from simgate.hub.apidoc.shapes import MethodDoc, Param, Schema, obj, one_of, words

Operation = dict[str, Any]
FORMS = ("application/x-www-form-urlencoded", "application/json")
ONLINESIM_ERROR = obj(("response",), response=words(onlinesim.WORDS))
ONLINESIM_KEY = "OnlinesimKey"
SMSACTIVATE_KEY = "SmsActivateKey"


class UndocumentedMethod(RuntimeError):
    """A method is served without a declaration in the document, or declared but not served."""


def undeclared() -> list[str]:
    """Every mismatch between the served tables and the declarations."""
    served = {*ONLINESIM.methods, *ONLINESIM.public}
    missing = [f"onlinesim {n}" for n in sorted(served ^ set(onlinesim.METHODS))]
    missing += [f"sandbox {n}" for n in sorted(SANDBOX_METHODS - set(onlinesim.METHODS))]
    missing += [
        f"sms-activate {n}" for n in sorted(set(SMSACTIVATE.methods) ^ set(smsactivate.ACTIONS))
    ]
    public = {n for n, doc in onlinesim.METHODS.items() if doc.public}
    missing += [f"onlinesim {n} (public or not)" for n in sorted(public ^ set(ONLINESIM.public))]
    return missing + others.undeclared()


def _operations(
    operation_id: str, tag: str, summary: str, params: list[Param], response: Any, **extra: Any
) -> dict[str, Operation]:
    """The same operation under GET (parameters in the query) and POST (in a form or JSON
    body; the hub also reads a POST's query string, as PHP's $_REQUEST does)."""
    # A summary is plain text in the viewers; the description is Markdown.
    common = {
        "tags": [tag],
        "summary": summary.replace("`", ""),
        "description": summary,
        "responses": {"200": response},
        **extra,
    }
    return {
        "get": {
            "operationId": f"{operation_id}_get",
            "parameters": [p.openapi() for p in params],
            **common,
        },
        "post": {"operationId": f"{operation_id}_post", **_body(params), **common},
    }


def _body(params: list[Param]) -> dict[str, Any]:
    if not params:
        return {}
    schema: Schema = {"type": "object", "properties": {p.name: p.schema for p in params}}
    required = [p.name for p in params if p.required]
    if required:
        schema["required"] = required
    content = {kind: {"schema": schema} for kind in FORMS}
    return {"requestBody": {"required": bool(required), "content": content}}


def _onlinesim_answer(doc: MethodDoc) -> Any:
    refusal: Schema = ONLINESIM_ERROR
    if doc.public:  # register/login/resendConfirmation also answer field errors
        refusal = one_of(ONLINESIM_ERROR, onlinesim.FIELD_ERRORS)
    typical = ", ".join(f"`{w}`" for w in doc.typical_words)
    return others.json_response(
        one_of(doc.answer, refusal),
        'The answer, or `{"response": "<WORD>"}` (HTTP 200)'
        + (f"; typical words: {typical}" if typical else ""),
    )


def _onlinesim_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name, doc in onlinesim.METHODS.items():
        security: list[dict[str, list[str]]] = (
            [] if doc.public else [{ONLINESIM_KEY: []}, {"OnlinesimBearer": []}]
        )
        paths[f"/api/{name}.php"] = _operations(
            name,
            "onlinesim",
            doc.summary,
            list(doc.params),
            _onlinesim_answer(doc),
            security=security,
        )
    for name in sorted(SANDBOX_METHODS):
        doc = onlinesim.METHODS[name]
        paths[f"/demo/api/{name}.php"] = _operations(
            f"sandbox_{name}",
            "sandbox",
            f"{doc.summary} {SANDBOX_SUMMARY}",
            [*doc.params, SANDBOX_ERR],
            _onlinesim_answer(doc),
            security=[{ONLINESIM_KEY: []}],
        )
    return paths


def _smsactivate_paths() -> dict[str, Any]:
    action = Param(
        "action",
        {"type": "string", "enum": list(smsactivate.ACTIONS)},
        "The action.",
        required=True,
    )
    response = {
        "description": "A text line, or a JSON object (HTTP 200 for errors too).",
        "content": {
            "text/plain": {"schema": smsactivate.TEXT_ANSWER},
            "application/json": {"schema": smsactivate.JSON_ANSWER},
        },
    }
    return {
        "/stubs/handler_api.php": _operations(
            "handler_api",
            "sms-activate",
            "sms-activate handler_api",
            [action, *smsactivate.PARAMS],
            response,
            description=smsactivate.description(),
            security=[{SMSACTIVATE_KEY: []}],
        )
    }


def _delivery_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name, (summary, params, answer) in DELIVERY.items():
        signed = [] if name == "timestamp" else list(SIGNED)
        paths[f"/delivery-api/get/{name}.php"] = _operations(
            f"delivery_{name}",
            "delivery-api",
            summary,
            [*signed, *params],
            others.json_response(
                one_of(answer, DELIVERY_ERROR), 'The answer, or {"error": "<code>"}'
            ),
            security=[],
        )
    return paths


def build() -> dict[str, Any]:
    """The whole document; raises UndocumentedMethod if a table and its declarations differ."""
    missing = undeclared()
    if missing:
        raise UndocumentedMethod(f"undocumented or unserved methods: {', '.join(missing)}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "simgate hub",
            "version": __version__,
            "description": (
                "The buyer APIs (onlinesim `/api/<method>.php`, sms-activate "
                "`/stubs/handler_api.php`), the sandbox, the delivery-api, PUSH_SMS intake "
                "and the operations endpoints. Parameters go in the query string, a form "
                "body or a JSON body; refusals are words in HTTP 200 answers."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "paths": {
            **_onlinesim_paths(),
            **_smsactivate_paths(),
            **_delivery_paths(),
            **others.service_paths(),
        },
        "components": {
            "securitySchemes": {
                ONLINESIM_KEY: {"type": "apiKey", "in": "query", "name": "apikey"},
                "OnlinesimBearer": {"type": "http", "scheme": "bearer"},
                SMSACTIVATE_KEY: {"type": "apiKey", "in": "query", "name": "api_key"},
            }
        },
    }

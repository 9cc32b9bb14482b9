"""The rest of the hub's public surface: the sandbox, the delivery-api, PUSH_SMS, the RSA key,
health, readiness and metrics."""

from __future__ import annotations

from typing import Any

from simgate.dialects.delivery import codec
from simgate.dialects.delivery.router import READS, WRITES
from simgate.hub.apidoc.shapes import INTEGER, STRING, Param, Schema, map_of, obj, one_of

Operation = dict[str, Any]

SANDBOX_SUMMARY = (
    "Sandbox: generated answers in the shape of the real method; nothing is stored and no "
    "money moves. Any apikey is accepted; `err=<WORD>` answers with that error word."
)
SANDBOX_ERR = Param("err", STRING, "An onlinesim error word to answer with.")

DELIVERY_ERROR = obj(
    ("error",),
    error={
        "type": "string",
        "enum": sorted({*codec.ERROR_CODES.values(), codec.STORAGE_ERROR, codec.SEND_ERROR}),
    },
)
SIGNED = (
    Param("login", STRING, "Account name.", required=True),
    Param("timestamp", INTEGER, "From timestamp.php; valid 60 s either way.", required=True),
    Param(
        "signature",
        STRING,
        "md5 of the values of every other parameter, sorted by name and concatenated, "
        "followed by the account's API key (or its delivery secret). Single-use.",
        required=True,
    ),
)
DELIVERY_STATE = {"type": "string", "enum": ["wait", "send", "deliver", "not_deliver"]}
SENT = obj(
    ("error",),
    error=STRING,
    id_sms={"type": ["string", "integer"]},
    cost=STRING,
    count_sms=STRING,
)
# Each delivery-api method: summary, its own parameters, its answer when it succeeds.
DELIVERY: dict[str, tuple[str, tuple[Param, ...], Schema]] = {
    "timestamp": (
        "The hub's time in epoch seconds (unsigned).",
        (),
        obj(("timestamp",), timestamp=INTEGER),
    ),
    "balance": ("Available money.", (), obj(("money", "currency"), money=STRING, currency=STRING)),
    "status": (
        "Delivery state of messages.",
        (Param("state", STRING, "Comma list of id_sms.", required=True),),
        map_of(DELIVERY_STATE),
    ),
    "template": (
        "The account's templates.",
        (),
        map_of(obj(("template", "up_time"), template=STRING, up_time=STRING)),
    ),
    "senders": ("Sender names and their state.", (), map_of(STRING)),
    "send": (
        "Send a text to one or more numbers; answers per number.",
        (
            Param("phone", STRING, "Comma list of numbers.", required=True),
            Param("text", STRING, "Message text.", required=True),
            Param("sender", STRING, "An approved sender name.", required=True),
        ),
        map_of(one_of(SENT, DELIVERY_ERROR)),
    ),
    "add_template": (
        "Save a template.",
        (
            Param("name", STRING, "Template name.", required=True),
            Param("text", STRING, "Template text.", required=True),
        ),
        obj(("id",), id=STRING),
    ),
    "add_sender": (
        "Ask for a sender name.",
        (Param("sender", STRING, "The name.", required=True),),
        map_of(STRING),
    ),
}

PUSH_BODY = obj(
    ("smsId", "phone", "phoneFrom", "text", "key"),
    action={"const": "PUSH_SMS"},
    smsId={"type": ["integer", "string"]},
    phone={"type": ["integer", "string"]},
    phoneFrom=STRING,
    text=STRING,
    key={"type": "string", "description": "The key the hub was given for this agent."},
)
PUSH_ANSWER = obj(
    ("status",),
    status={"type": "string", "enum": ["SUCCESS", "ERROR"]},
    error=STRING,
)


def json_response(schema: Schema, description: str = "Answer (HTTP 200 for errors too).") -> Any:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _push(path: str) -> Operation:
    return {
        "post": {
            "operationId": "push_sms" + path.replace("/", "_"),
            "tags": ["PUSH_SMS"],
            "summary": "An agent pushes an SMS it received (SMSHUB PUSH_SMS).",
            "description": (
                "JSON body, optionally gzipped (Content-Encoding: gzip). SUCCESS only once the "
                "SMS is committed; a repeated smsId answers SUCCESS and changes nothing."
            ),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": PUSH_BODY}},
            },
            "responses": {"200": json_response(PUSH_ANSWER)},
        }
    }


def service_paths() -> dict[str, Operation]:
    """PUSH_SMS, the RSA key, health, readiness and metrics."""
    status = obj(("status",), status=STRING, reason=STRING)
    return {
        "/push_sms_webhook": _push("/push_sms_webhook"),
        "/agent/api/sms": _push("/agent/api/sms"),
        "/api/public.pem": {
            "get": {
                "operationId": "public_pem",
                "tags": ["accounts"],
                "summary": "The RSA public key passwords are encrypted with.",
                "responses": {
                    "200": {
                        "description": "PEM",
                        "content": {"application/x-pem-file": {"schema": STRING}},
                    },
                    "503": {
                        "description": "Storage unavailable",
                        "content": {"text/plain": {"schema": STRING}},
                    },
                },
            }
        },
        "/confirm-email/{token}": {
            "get": {
                "operationId": "confirm_email",
                "tags": ["accounts"],
                "summary": "The link of the confirmation email (register): activates the account.",
                "parameters": [{"name": "token", "in": "path", "required": True, "schema": STRING}],
                "responses": {
                    code: {"description": text, "content": {"text/html": {"schema": STRING}}}
                    for code, text in (
                        ("200", "Activated, or already active"),
                        ("404", "Unknown link"),
                        ("410", "Expired link: ask resendConfirmation for a new one"),
                        ("503", "Storage unavailable"),
                    )
                },
            }
        },
        "/health": {
            "get": {
                "operationId": "health",
                "tags": ["operations"],
                "summary": "The process is up.",
                "responses": {"200": json_response(obj(("status",), status={"const": "ok"}))},
            }
        },
        "/ready": {
            "get": {
                "operationId": "ready",
                "tags": ["operations"],
                "summary": "The database is reachable and its schema is current.",
                "responses": {
                    "200": json_response(status, "Ready"),
                    "503": json_response(status, "Not ready, with the reason"),
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "tags": ["operations"],
                "summary": "Prometheus metrics in the text exposition format.",
                "responses": {
                    "200": {"description": "Metrics", "content": {"text/plain": {"schema": STRING}}}
                },
            }
        },
    }


def undeclared() -> list[str]:
    """delivery-api methods served without a declaration here, or declared but not served."""
    return sorted(f"delivery-api {name}" for name in {"timestamp", *READS, *WRITES} ^ set(DELIVERY))

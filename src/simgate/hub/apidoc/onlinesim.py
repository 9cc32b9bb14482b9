"""The onlinesim buyer API (`/api/<method>.php`): one declaration per method of its table."""

from __future__ import annotations

from simgate.dialects.onlinesim import sandbox, words
from simgate.hub.apidoc.shapes import (
    AMOUNT,
    AMOUNT_TEXT,
    BOOLEAN,
    FLAG,
    INTEGER,
    NULLABLE_STRING,
    STRING,
    MethodDoc,
    Param,
    Schema,
    array,
    map_of,
    obj,
    one_of,
)

# Every word an onlinesim answer may carry in `response` when it refuses.
WORDS = sorted(
    set(words.WORDS.values())
    | sandbox.PRODUCTION_WORDS
    | {words.GENERIC_ERROR, "TIME_ERROR", "LOGIN_ERROR", "ERROR_ACCOUNT_NOT_ACTIVATE"}
)
OK: Schema = {"const": 1, "description": "1: the method succeeded"}
KEY_WORDS = ("ERROR_NO_KEY", "ERROR_WRONG_KEY", "ACCOUNT_BLOCKED", "API_ACCESS_DISABLED")

COUNTRY = Param("country", INTEGER, "Dial code of the country (7 = Russia); default 7.", example=7)
SERVICE = Param(
    "service",
    STRING,
    "Service slug or name (VKcom, vk, WhatsApp, wa, …).",
    required=True,
    example="vk",
)
TZID = Param("tzid", INTEGER, "Operation id from getNum.", required=True)
FORWARD_ID = Param("id", INTEGER, "Forwarding id (forwardingList).", required=True)


def ok(required: tuple[str, ...] = (), **fields: Schema) -> Schema:
    return obj(("response", *required), response=OK, **fields)


MESSAGE = obj(
    ("service", "msg", "receive_date"),
    service=STRING,
    msg=STRING,
    receive_date={"type": "string", "description": "YYYY-MM-DD HH:MM:SS, UTC"},
)
OPERATION = obj(
    ("tzid", "response", "service", "form", "country", "sum", "msg", "time"),
    tzid=INTEGER,
    response={
        "type": "string",
        "enum": ["TZ_INPOOL", "TZ_NUM_WAIT", "TZ_NUM_ANSWER", "TZ_OVER_OK", "TZ_OVER_EMPTY"],
    },
    service=STRING,
    form={"type": "string", "enum": ["index", "repeat", "deferr"]},
    country=INTEGER,
    sum=AMOUNT,
    number={"type": "string", "description": "+ and the number's digits, once one is given"},
    msg=one_of(
        {"const": False, "description": "no SMS (yet)"},
        {"type": "string", "description": "the latest SMS, or its code with message_to_code=1"},
        array(MESSAGE),
    ),
    time={"type": "integer", "description": "seconds until the operation expires"},
    forward_status=STRING,
    forward_number=INTEGER,
)
STATE_PARAMS = (
    Param("message_to_code", FLAG, "1: `msg` is the code found in the SMS, not its text."),
    Param("msg_list", FLAG, "1: `msg` lists every SMS of the operation."),
    Param("clean", FLAG, "1: leave out SMS already shown."),
    Param("orderby", {"type": "string", "enum": ["asc", "desc"]}, "Order by id; default asc."),
)
SERVICE_ROW = obj(
    ("id", "slug", "title", "index", "repeat", "deferr", "limit"),
    id=STRING,
    slug=STRING,
    title=STRING,
    index=AMOUNT_TEXT,
    repeat=AMOUNT_TEXT,
    deferr=AMOUNT_TEXT,
    limit={"type": "string", "description": "share of free numbers, 0–100"},
)
COUNTRY_STATS = obj(
    ("name", "position", "code", "services"),
    name=STRING,
    position=INTEGER,
    code=INTEGER,
    other=BOOLEAN,
    new=BOOLEAN,
    enabled=BOOLEAN,
    services=map_of(
        obj(
            ("id", "count", "price", "slug"),
            id=INTEGER,
            count=INTEGER,
            popular=BOOLEAN,
            code=INTEGER,
            price=AMOUNT,
            service=STRING,
            slug=STRING,
        )
    ),
)
FORWARDING = obj(
    ("id", "status", "number", "forward_number", "forward_status"),
    id=INTEGER,
    id_user=INTEGER,
    minutes={"type": ["integer", "null"]},
    status=INTEGER,
    id_number=INTEGER,
    number=INTEGER,
    forward_number=INTEGER,
    created_at=STRING,
    updated_at=STRING,
    extension=BOOLEAN,
    data=obj(
        balance=NULLABLE_STRING,
        time_update_balance=NULLABLE_STRING,
        region={"type": ["integer", "null"]},
    ),
    forward_status=STRING,
    auto_minutes=INTEGER,
    max_minutes=INTEGER,
)
FORWARDING_PAGE = obj(
    ("total", "per_page", "current_page", "last_page", "data"),
    total=INTEGER,
    per_page=INTEGER,
    current_page=INTEGER,
    last_page=INTEGER,
    next_page_url=NULLABLE_STRING,
    prev_page_url=NULLABLE_STRING,
    **{"from": {"type": ["integer", "null"]}, "to": {"type": ["integer", "null"]}},
    data=array(FORWARDING),
)
FORWARD_PAYMENT = obj(
    ("id", "forward_id", "number", "sum", "minutes", "status", "created_at"),
    id=INTEGER,
    forward_id=INTEGER,
    number=INTEGER,
    sum=AMOUNT,
    minutes=INTEGER,
    status={"type": "integer", "description": "1 created, 2 sent for payment, 3 credited"},
    created_at=STRING,
)
# register / login / resendConfirmation answer "1" as text, and field errors as lists.
FIELD_ERRORS = obj(
    ("response",),
    response=map_of(array(STRING)),
)
ACTIVE = {"type": "string", "enum": ["true", "false"]}
DEV_KEY = Param("dev_key", STRING, "Developer key issued by the operator.", required=True)
PASSWORD = Param(
    "password",
    STRING,
    "RSA-encrypted (public.pem), base64-wrapped password.",
    required=True,
)

METHODS: dict[str, MethodDoc] = {
    "getBalance": MethodDoc(
        "Balance: `balance` is available money, `zbalance` is held by open operations.",
        (Param("income", FLAG, "1: add `income` (always 0: simgate has no referrals)."),),
        ok(("balance", "zbalance"), balance=AMOUNT_TEXT, zbalance=AMOUNT, income=INTEGER),
    ),
    "getProfile": MethodDoc(
        "The account's profile with its balance and totals.",
        answer=ok(("profile",), profile=obj(("id", "name", "balance"))),
    ),
    "getServiceList": MethodDoc(
        "Services sold in a country, their prices per form and share of free numbers.",
        (COUNTRY,),
        array(SERVICE_ROW),
        ("NO_COUNTRY",),
    ),
    "getNumbersStats": MethodDoc(
        "Stock and prices per service of one country, or of every country (country=all).",
        (Param("country", STRING, "Dial code, or `all` for every country keyed by code."),),
        one_of(COUNTRY_STATS, map_of(COUNTRY_STATS)),
        ("NO_COUNTRY",),
    ),
    "getPrice": MethodDoc(
        "The online price of one service in one country.",
        (SERVICE, COUNTRY),
        ok(("price",), price=AMOUNT),
        ("ERROR_NO_SERVICE", "NO_NUMBER", "NO_COUNTRY"),
    ),
    "getService": MethodDoc(
        "Services this account bought before, that can be rented again (getNumRepeat).",
        (),
        ok(("service",), service=array(STRING)),
        ("ERROR_NO_SERVICE_REPEAT",),
    ),
    "getServiceNumber": MethodDoc(
        "Numbers this account had for a service, that can be rented again.",
        (SERVICE,),
        ok(("number",), number=array(STRING)),
        ("ERROR_NO_SERVICE", "SERVICE_TO_NUMBER_EMPTY"),
    ),
    "getNum": MethodDoc(
        "Rent a number for a service: online (form=1) or deferred (form=3, waits in TZ_INPOOL).",
        (
            SERVICE,
            COUNTRY,
            Param("operator", STRING, "Operator slug (mts, megafon, …); default any."),
            Param("simoperator", STRING, "Operator by MCC-MNC (25001)."),
            Param("form", {"type": "integer", "enum": [1, 3]}, "1 online (default), 3 deferred."),
            Param("reject", STRING, "Comma list of number prefixes (1–15 digits) to avoid."),
            Param("region", INTEGER, "Region id, passed to the agent."),
            Param("extension", FLAG, "1: ask for a number with a longer lifetime."),
            Param("number", FLAG, "1: add `number` and `country` to the answer."),
            Param("forward_number", STRING, "Forward calls to this number (online only)."),
            Param("forward_minutes", INTEGER, "Top up forwarding minutes below this."),
            Param("clean_call", FLAG, "1: forward without the caller's number."),
        ),
        ok(("tzid",), tzid=INTEGER, number=STRING, country=INTEGER),
        (
            "ERROR_NO_SERVICE",
            "NO_COUNTRY",
            "NO_NUMBER",
            "WARNING_LOW_BALANCE",
            "EXCEEDED_CONCURRENT_OPERATIONS",
            "INTERVAL_CONCURRENT_REQUESTS_ERROR",
            "DUPLICATE_OPERATION",
            "TIME_INTERVAL_ERROR",
            "TRY_AGAIN_LATER",
            "ERROR_PARAMS",
        ),
    ),
    "getNumRepeat": MethodDoc(
        "Rent again a number this account had for a service, from the agent that sold it.",
        (SERVICE, Param("number", STRING, "The number, digits (a + is allowed).", required=True)),
        ok(("tzid",), tzid=INTEGER),
        ("ERROR_NO_NUMBER", "ERROR_NO_SERVICE_REPEAT", "LIFICYCLE_NUM_EXPIRED", "NO_NUMBER"),
    ),
    "getState": MethodDoc(
        "Operations of the account (one with tzid), with the SMS received.",
        (
            Param("tzid", INTEGER, "One operation; without it, every open one."),
            *STATE_PARAMS,
            Param(
                "form", STRING, "Filter by form: index, repeat, deferr (or 1, 2, 3), comma list."
            ),
        ),
        array(OPERATION),
        ("ERROR_NO_OPERATIONS", "ERROR_WRONG_TZID"),
    ),
    "getOperations": MethodDoc(
        "Every operation of the account: open ones and those closed in the last minutes.",
        STATE_PARAMS,
        array(OPERATION),
    ),
    "setOperationOk": MethodDoc(
        "Close an operation: paid if an SMS came, refunded if not.",
        (TZID, Param("ban", FLAG, "1: ask the agent never to offer this number again.")),
        ok(("tzid",), tzid=INTEGER),
        ("ERROR_NO_TZID", "ERROR_WRONG_TZID", "NO_COMPLETE_TZID"),
    ),
    "setOperationRevise": MethodDoc(
        "The code was wrong: wait for the next SMS on the same number.",
        (TZID,),
        ok(("tzid",), tzid=INTEGER),
        ("ERROR_NO_TZID", "ERROR_WRONG_TZID"),
    ),
    "setForwardStatusEnable": MethodDoc(
        "Confirm the call forwarding of an operation.",
        (TZID,),
        ok(("tzid",), tzid=INTEGER),
        ("ERROR_NO_TZID", "NO_CONFIRM_FORWARD"),
    ),
    "forwardingList": MethodDoc(
        "The account's call forwardings, a page at a time, or one by id.",
        (
            Param("id", INTEGER, "One forwarding."),
            Param("page", INTEGER, "Page number from 1."),
            Param("sort", STRING, 'JSON object of field → ASC/DESC: {"number":"DESC"}.'),
        ),
        one_of(
            ok(("forwarding",), forwarding=FORWARDING),
            ok(("forwardingList",), forwardingList=FORWARDING_PAGE),
        ),
        ("ERROR_WRONG_ID", "ERROR_PARAMS"),
    ),
    "forwardingSave": MethodDoc(
        "Change a forwarding's number, top-up threshold or auto top-up.",
        (
            FORWARD_ID,
            Param("forward_number", STRING, "New number to forward to."),
            Param("minutes", INTEGER, "Top up below this many minutes."),
            Param("auto", FLAG, "1: top up automatically."),
            Param("max_minutes", INTEGER, "Most minutes to top up in all; 0 = any."),
        ),
        ok(),
        ("ERROR_WRONG_ID", "ERROR_LENGTH_NUMBER_FOR_FORWARD", "ERROR_PARAMS"),
    ),
    "forwardingRemove": MethodDoc("Stop a forwarding.", (FORWARD_ID,), ok(), ("ERROR_WRONG_ID",)),
    "getForwardPaymentsList": MethodDoc(
        "Minute top-ups paid for a forwarding.",
        (FORWARD_ID,),
        ok(("forwardPaymentsList",), forwardPaymentsList=array(FORWARD_PAYMENT)),
        ("ERROR_WRONG_ID",),
    ),
    "register": MethodDoc(
        "Create an account; a confirmation link is mailed (active=true).",
        (
            Param("name", STRING, "Display name.", required=True),
            Param("username", STRING, "Login name.", required=True),
            Param("email", STRING, "Email address.", required=True),
            PASSWORD,
            Param("password_confirmation", STRING, "The same, encrypted again.", required=True),
            DEV_KEY,
            Param("terms", FLAG, "Terms accepted.", required=True),
        ),
        obj(("response", "active"), response={"const": "1"}, active=ACTIVE),
        ("TIME_ERROR", "ERROR_EMAIL_CONFIRMATION_UNAVAILABLE"),
        public=True,
    ),
    "login": MethodDoc(
        "Log in with a username and password; answers an API key.",
        (Param("username", STRING, "Login name.", required=True), PASSWORD, DEV_KEY),
        obj(("response", "apikey"), response={"const": "1"}, active=ACTIVE, apikey=STRING),
        ("TIME_ERROR", "LOGIN_ERROR", "ERROR_ACCOUNT_NOT_ACTIVATE"),
        public=True,
    ),
    "resendConfirmation": MethodDoc(
        "Mail the confirmation link again (active=false: already confirmed).",
        (Param("email", STRING, "Email address.", required=True), DEV_KEY),
        obj(("response", "active"), response={"const": "1"}, active=ACTIVE),
        ("TIME_ERROR", "ERROR_EMAIL_CONFIRMATION_UNAVAILABLE"),
        public=True,
    ),
}

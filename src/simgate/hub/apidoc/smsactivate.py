"""The sms-activate dialect (`/stubs/handler_api.php`): one path, one declaration per action.

Its answers are bare text lines (`ACCESS_NUMBER:<id>:<phone>`, `STATUS_OK:<code>`, error
words) or JSON objects; the document declares both media types on the one path and says per
action which it gives."""

from __future__ import annotations

from dataclasses import dataclass

from simgate.dialects.smsactivate import words
from simgate.hub.apidoc.shapes import INTEGER, STRING, Param, Schema, obj

# Every word an answer line may start with (before its first ':').
ERROR_WORDS = sorted(
    set(words.WORDS.values())
    | {words.GENERIC_ERROR, "NO_KEY", "BAD_KEY", "BAD_ACTION", "BAD_DATA"}
    | {"WRONG_ACTIVATION_ID", "BAD_STATUS", "ACCOUNT_INACTIVE"}
)
LINE_WORDS = (
    "ACCESS_BALANCE",
    "ACCESS_NUMBER",
    "ACCESS_READY",
    "ACCESS_RETRY_GET",
    "ACCESS_ACTIVATION",
    "ACCESS_CANCEL",
    "STATUS_WAIT_CODE",
    "STATUS_WAIT_RETRY",
    "STATUS_OK",
    "STATUS_CANCEL",
    "FULL_SMS",
)


@dataclass(frozen=True)
class ActionDoc:
    """One action: what it does, and the answer lines or JSON object it gives."""

    summary: str
    answers: str


ACTIONS: dict[str, ActionDoc] = {
    "getBalance": ActionDoc("Available balance.", "text `ACCESS_BALANCE:<amount>`"),
    "getBalanceAndCashBack": ActionDoc(
        "The balance (simgate pays no cashback).", "text `ACCESS_BALANCE:<amount>`"
    ),
    "getNumber": ActionDoc(
        "Rent a number (service, country, operator, maxPrice, phoneException).",
        "text `ACCESS_NUMBER:<id>:<phone>`",
    ),
    "getNumberV2": ActionDoc(
        "Rent a number, answered as JSON.",
        "JSON {activationId, phoneNumber, activationCost, countryCode, …}",
    ),
    "getStatus": ActionDoc(
        "State of an activation (id).",
        "text `STATUS_WAIT_CODE`, `STATUS_OK:<code>`, `STATUS_WAIT_RETRY:<code>`, `STATUS_CANCEL`",
    ),
    "getStatusV2": ActionDoc(
        "State of an activation as JSON (`sms` null until an SMS comes).",
        "JSON {verificationType, sms, call}",
    ),
    "getFullSms": ActionDoc(
        "Full text of the latest SMS (id).", "text `FULL_SMS:<text>`, or a status line"
    ),
    "getActiveActivations": ActionDoc(
        "Open activations of the account.", "JSON {status, activeActivations, data}"
    ),
    "setStatus": ActionDoc(
        "Change an activation (id, status: 1 ready, 3 another code, 6 finish, 8 or -1 cancel).",
        "text `ACCESS_READY`, `ACCESS_RETRY_GET`, `ACCESS_ACTIVATION`, `ACCESS_CANCEL`",
    ),
    "finishActivation": ActionDoc(
        "Finish an activation (id): paid if an SMS came, refunded if not.",
        "text `ACCESS_ACTIVATION` or `ACCESS_CANCEL`",
    ),
    "cancelActivation": ActionDoc("Cancel an activation (id), refunded.", "text `ACCESS_CANCEL`"),
    "getPrices": ActionDoc(
        "Prices and stock by country and service.", "JSON {country: {service: {cost, count}}}"
    ),
    "getPricesExtended": ActionDoc(
        "Prices and stock with the physical count.", "JSON {country: {service: {…}}}"
    ),
    "getPricesV2": ActionDoc("Stock by price.", "JSON {country: {service: {price: count}}}"),
    "getPricesV3": ActionDoc("Stock by operator and price.", "JSON {country: {service: {…}}}"),
    "getTopCountriesByService": ActionDoc(
        "Countries selling a service, cheapest first.", "JSON {rank: {country, count, price, …}}"
    ),
    "getTopCountriesByServiceRank": ActionDoc(
        "The same as getTopCountriesByService.", "JSON {rank: {country, count, price, …}}"
    ),
    "getNumbersStatus": ActionDoc(
        "Free numbers per service in a country.", "JSON {<service>_0: count}"
    ),
    "getCountries": ActionDoc("Countries by id, with their names.", "JSON {id: {id, rus, eng, …}}"),
    "getServicesList": ActionDoc(
        "Services and their names (lang).", "JSON {status, services: [{code, name}]}"
    ),
    "getOperators": ActionDoc(
        "Operators per country.", "JSON {status, countryOperators: {id: [operator]}}"
    ),
}

PARAMS = (
    Param("service", STRING, "Service code (vk, wa, tg, …).", example="vk"),
    Param(
        "country",
        STRING,
        "Country id (0 Russia, 22 India, 187 USA) or `any`; default 0.",
        example="0",
    ),
    Param("operator", STRING, "Operator name(s), comma list."),
    Param("maxPrice", STRING, "Highest price to pay, in the hub currency."),
    Param("phoneException", STRING, "Comma list of number prefixes to avoid."),
    Param("id", STRING, "Activation id."),
    Param("status", INTEGER, "setStatus: 1, 3, 6, 8 or -1."),
    Param("lang", STRING, "getServicesList: ru, en, …"),
)
TEXT_ANSWER: Schema = {
    "type": "string",
    "pattern": "^(" + "|".join([*LINE_WORDS, *ERROR_WORDS]) + ")(:.*)?$",
    "description": "One line without a trailing newline: an answer or an error word.",
}
JSON_ANSWER: Schema = obj()


def description() -> str:
    """The path's description: each action, what it answers, and the error words."""
    rows = [f"- `{name}`: {doc.summary} Answers {doc.answers}." for name, doc in ACTIONS.items()]
    return (
        "sms-activate's `handler_api`, GET or POST (also served at `/handler_api.php`); the "
        "key is `api_key`. Every answer is HTTP 200.\n\n"
        + "\n".join(rows)
        + "\n\nError words (text): "
        + ", ".join(f"`{w}`" for w in ERROR_WORDS)
        + "."
    )

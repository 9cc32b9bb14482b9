"""The sms-activate words for every domain refusal: the dialect's one error table, by code.

Every word here is one the public sms-activate clients recognise (see the protocol notes);
a code without a word of its own answers ERROR_SQL, the clients' word for "the server failed,
try again".
"""

from __future__ import annotations

from simgate.dialects.common.errors import ErrorWords

GENERIC_ERROR = "ERROR_SQL"

WORDS: dict[str, str] = {
    "NO_KEY": "NO_KEY",
    "UNKNOWN_KEY": "BAD_KEY",
    # sms-activate answers BANNED:<until> for a ban with an end. A simgate block has none, so
    # any time would be invented; the bare word is what one client matches whole, and what
    # another finds before its first ':' either way.
    "ACCOUNT_BLOCKED": "BANNED",
    "API_ACCESS_DISABLED": "ACCOUNT_INACTIVE",
    "NO_SERVICE": "BAD_SERVICE",
    "UNKNOWN_SERVICE": "BAD_SERVICE",
    "UNKNOWN_COUNTRY": "BAD_COUNTRY",
    "UNKNOWN_OPERATOR": "WRONG_OPERATOR",
    "NO_NUMBER": "NO_NUMBERS",
    "NO_SUPPLIERS": "NO_NUMBERS",
    "INSUFFICIENT_FUNDS": "NO_BALANCE",
    "ACTIVATION_NOT_FOUND": "NO_ACTIVATION",
    "PRICE_ABOVE_LIMIT": "WRONG_MAX_PRICE",
    "BAD_REJECT": "WRONG_EXCEPTION_PHONE",
    # cancelling a rental that received a code: sms-activate refuses it with this word too
    "CODE_RECEIVED": "BAD_STATUS",
}

RULE = ErrorWords(WORDS, GENERIC_ERROR)
word_for = RULE.word_for

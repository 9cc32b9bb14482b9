"""The shared dialect layer: one error table per dialect, keyed by DomainError.code."""

from __future__ import annotations

import pytest

from simgate.core.errors import DomainError
from simgate.dialects.common.apikey import KeyCache, MissingKey, authenticate
from simgate.dialects.common.errors import ErrorWords
from simgate.dialects.common.registry import MethodTable
from simgate.dialects.onlinesim import words
from simgate.forwarding.errors import ForwardNotConfirmed, ForwardNotFound


def test_a_code_renders_as_its_word_and_any_other_as_the_generic_one() -> None:
    rule = ErrorWords({"NO_NUMBER": "NO_NUMBERS"}, generic="ERROR_SQL")
    assert rule.word_for(DomainError(code="NO_NUMBER")) == "NO_NUMBERS"
    assert rule.word_for(DomainError(code="SOMETHING_NEW")) == "ERROR_SQL"


def test_onlinesim_renders_forwarding_refusals_from_its_one_table() -> None:
    assert words.word_for(ForwardNotFound()) == "ERROR_WRONG_ID"
    assert words.word_for(ForwardNotConfirmed()) == "NO_CONFIRM_FORWARD"
    assert words.word_for(MissingKey()) == "ERROR_NO_KEY"


async def test_a_request_without_a_key_is_refused_before_storage_is_touched() -> None:
    # db=None: reaching storage would fail with AttributeError, not MissingKey.
    with pytest.raises(MissingKey):
        await authenticate(None, KeyCache(ttl=0), "")  # type: ignore[arg-type]


def test_a_method_cannot_be_both_public_and_keyed() -> None:
    async def handler(call: object) -> None:
        return None

    with pytest.raises(ValueError, match="login"):
        MethodTable(methods={"login": handler}, public={"login": handler})

"""One rule per dialect for rendering a domain refusal: `DomainError.code` → the dialect's word."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from simgate.core.errors import DomainError


@dataclass(frozen=True)
class ErrorWords:
    """A dialect's whole error vocabulary: one word per code, `generic` for any other code."""

    words: Mapping[str, str]
    generic: str

    def word_for(self, error: DomainError) -> str:
        return self.words.get(error.code, self.generic)

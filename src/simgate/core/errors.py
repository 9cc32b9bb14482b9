"""Domain errors. Each carries a stable code; dialects translate codes into their own words."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code: str = "DOMAIN_ERROR"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        super().__init__(message or self.code)


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class Unavailable(DomainError):
    """Retry later: a transient state of the platform, not the caller's fault."""

    code = "UNAVAILABLE"

from __future__ import annotations

from simgate.core.errors import Conflict, DomainError, NotFound


class UnknownKey(DomainError):
    code = "UNKNOWN_KEY"


class AccountBlocked(DomainError):
    code = "ACCOUNT_BLOCKED"


class ApiAccessDisabled(DomainError):
    code = "API_ACCESS_DISABLED"


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"


class AccountExists(Conflict):
    code = "ACCOUNT_EXISTS"

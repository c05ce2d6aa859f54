"""One exception tree for the whole platform, mapped once at each edge.

    KelisimError                 any refusal a user can act on
    ├── RuleViolation            a rule of the Agreement refuses the act (carries the article)
    ├── InvalidInput             the request itself is malformed (unknown field, bad date, ...)
    ├── NotFound                 the thing named does not exist (or the caller may not know it does)
    ├── Conflict                 the act collides with what is already recorded
    ├── AuthenticationRequired   no credential, or one that matches no account
    ├── PermissionDenied         a credential whose account may not do this
    └── LedgerTampered           a hash chain no longer verifies

The HTTP adapter turns these into RFC 9457 problem details, the CLI into a one-line reason and a
non-zero exit. Nothing below the edge formats messages for a transport.
"""

from __future__ import annotations

from typing import Any


class KelisimError(Exception):
    """Base of every refusal; `reason` is a sentence a person can act on."""

    status: int = 400
    code: str = "error"
    title: str = "Request refused"

    def __init__(self, reason: str, *, article: str | None = None, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.article = article
        self.details = details

    def __str__(self) -> str:
        return self.reason

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "reason": self.reason}
        if self.article:
            body["article"] = self.article
        body.update(self.details)
        return body


class RuleViolation(KelisimError):
    status = 422
    code = "rule_violation"
    title = "Refused by a rule of the Agreement"


class InvalidInput(KelisimError):
    status = 400
    code = "invalid_input"
    title = "Invalid input"


class NotFound(KelisimError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(KelisimError):
    status = 409
    code = "conflict"
    title = "Conflict with the record"


class AuthenticationRequired(KelisimError):
    status = 401
    code = "authentication_required"
    title = "Authentication required"


class PermissionDenied(KelisimError):
    status = 403
    code = "permission_denied"
    title = "Permission denied"


class LedgerTampered(KelisimError):
    status = 500
    code = "ledger_tampered"
    title = "The ledger does not verify"

"""One exception tree for the whole platform, mapped once at each edge.

    KelisimError                 any refusal a user can act on
    ├── RuleViolation            a rule of the Agreement refuses the act (carries the article)
    ├── InvalidInput             the request itself is malformed (unknown field, bad date, ...)
    ├── NotFound                 the thing named does not exist (or the caller may not know it does)
    ├── Conflict                 the act collides with what is already recorded
    ├── AuthenticationRequired   no credential, or one that matches no account
    ├── PermissionDenied         a credential whose account may not do this
    ├── LedgerTampered           a hash chain no longer verifies
    └── FederationError          a node's statement, key or request is not trusted (issue 14)
        ├── UntrustedSignature   a signature that does not verify or a key that does not speak
        ├── NodeNotAuthenticated a node-to-node request's HTTP message signature is refused
        └── SplitViewDetected    the depositary's node signed two incompatible checkpoints

The HTTP adapter turns these into RFC 9457 problem details, the CLI into a one-line reason and a
non-zero exit. Nothing below the edge formats messages for a transport.

A refusal may carry its reason as a `Message`: an English template marked with `N_` (extracted
into the UI's catalogs, docs/ui-translations.md) and its parameters. `reason` is the template
formatted with the parameters as they are (dates in ISO form), so the API and the CLI say exactly
what they said before; the web UI translates the template and formats the parameters in the
reader's language (decision 0007). The domain imports no translation library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(template: str) -> str:
    """Mark a refusal's template for message extraction; it is translated where it is shown."""
    return template


class Message:
    """A reason as an English `str.format` template and its parameters.

    A parameter may itself be a Message (a refusal wrapped in "Entry N of the request: ..."), so
    the reader's language reaches the innermost sentence.
    """

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params: Mapping[str, Any] = params

    def __str__(self) -> str:
        return self.template.format(**self.params)

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{dict(self.params)!r})"


class KelisimError(Exception):
    """Base of every refusal; `reason` is a sentence a person can act on.

    `message` is the same sentence as a translatable `Message`, or None when the refusal was
    raised with a plain string (the UI then shows the English reason, marked as English).
    """

    status: int = 400
    code: str = "error"
    title: str = "Request refused"

    def __init__(self, reason: str | Message, *, article: str | None = None,
                 **details: Any) -> None:
        super().__init__(str(reason))
        self.message = reason if isinstance(reason, Message) else None
        self.reason = str(reason)
        self.article = article
        self.details = details

    def wrap(self, template: str, /, **params: Any) -> None:
        """Put the reason inside an outer sentence whose `{reason}` is the current one."""
        inner = self.message if self.message is not None else self.reason
        outer = Message(template, **params, reason=inner)
        self.message = outer if self.message is not None else None
        self.reason = str(outer)

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


class TooLarge(KelisimError):
    status = 413
    code = "too_large"
    title = "Request too large"


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


class FederationError(KelisimError):
    """A node's statement, key or request that cannot be trusted (issue 14).

    A roster, descriptor or checkpoint that is malformed, stale or not signed by the key that
    must sign it. The subclasses say which kind; `NodeNotAuthenticated` is the 401 of a
    node-to-node request whose HTTP message signature is refused.
    """

    status = 422
    code = "federation_refused"
    title = "Refused by the federation"


class UntrustedSignature(FederationError):
    """A signature that does not verify, or one by a key that does not speak for its claim."""

    code = "untrusted_signature"
    title = "The signature is not trusted"


class NodeNotAuthenticated(FederationError):
    """A node-to-node request without a valid HTTP message signature (RFC 9421; issue 14)."""

    status = 401
    code = "node_not_authenticated"
    title = "Node authentication required"


class SplitViewDetected(FederationError):
    """The depositary's node signed two checkpoints no single history can explain."""

    status = 409
    code = "split_view"
    title = "The depositary showed two different histories"

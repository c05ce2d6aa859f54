"""Who may act: accounts of the depositary, of a Party's authorized body, of a certification body.

Tokens are random (256 bits of secret), shown once and stored only as a SHA-256 digest: a leaked
database yields no usable credential. A token looks like `kls_<id>_<secret>`; the id finds the
account without scanning, the secret is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from kelisim.domain.errors import N_, AuthenticationRequired, InvalidInput, Message
from kelisim.domain.inputs import storable

TOKEN_PREFIX = "kls"


class OrganizationKind(StrEnum):
    DEPOSITARY = "depositary"
    AUTHORIZED_BODY = "authorized_body"
    CERTIFICATION_BODY = "certification_body"


class Role(StrEnum):
    DEPOSITARY = "depositary"
    PARTY_ADMIN = "party-admin"
    ANALYST = "analyst"
    READER = "reader"
    CERTIFIER = "certifier"


ROLES_OF_KIND: dict[OrganizationKind, frozenset[Role]] = {
    OrganizationKind.DEPOSITARY: frozenset({Role.DEPOSITARY, Role.READER}),
    OrganizationKind.AUTHORIZED_BODY: frozenset({Role.PARTY_ADMIN, Role.ANALYST, Role.READER}),
    OrganizationKind.CERTIFICATION_BODY: frozenset({Role.CERTIFIER, Role.READER}),
}


@dataclass(frozen=True)
class Principal:
    """The account a request acts as."""

    account_id: int
    name: str
    role: Role
    organization_kind: OrganizationKind
    party: str | None
    organization: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: str
    token_hash: str


def validate_account(role: str, organization_kind: str,
                     party: str | None) -> tuple[Role, OrganizationKind]:
    """An account's role must fit its organization; a Party's bodies must name their Party."""
    try:
        kind = OrganizationKind(organization_kind)
    except ValueError:
        options = ", ".join(k.value for k in OrganizationKind)
        raise InvalidInput(Message(N_("Unknown organization kind {kind!r}; one of: {options}."),
                                   kind=organization_kind, options=options),
                           field="organization_kind") from None
    try:
        parsed_role = Role(role)
    except ValueError:
        options = ", ".join(r.value for r in Role)
        raise InvalidInput(Message(N_("Unknown role {role!r}; one of: {options}."), role=role,
                                   options=options), field="role") from None
    if parsed_role not in ROLES_OF_KIND[kind]:
        allowed = ", ".join(sorted(r.value for r in ROLES_OF_KIND[kind]))
        raise InvalidInput(Message(
            N_("An account of the kind {kind} takes one of the roles: {roles}."),
            kind=kind.value, roles=allowed), field="role")
    if kind is OrganizationKind.DEPOSITARY and party is not None:
        raise InvalidInput(Message(N_("The depositary's accounts belong to no Party.")),
                           field="party")
    if kind is not OrganizationKind.DEPOSITARY and party is None:
        raise InvalidInput(Message(
            N_("An account of the kind {kind} must name its Party (ISO alpha-3)."),
            kind=kind.value), field="party")
    return parsed_role, kind


def issue_token() -> IssuedToken:
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return IssuedToken(f"{TOKEN_PREFIX}_{token_id}_{secret}", token_id, _digest(secret))


def split_token(token: str) -> tuple[str, str]:
    """The id and the secret of a presented token, or AuthenticationRequired if malformed."""
    parts = token.split("_", 2)
    if (len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]
            or not storable(token)):
        raise AuthenticationRequired(Message(N_("The token is malformed; kelisim tokens look "
                                                "like kls_<id>_<secret>.")))
    return parts[1], parts[2]


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(_digest(secret), stored_hash)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()

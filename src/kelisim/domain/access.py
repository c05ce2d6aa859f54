"""Who may do what: the one place access is decided, so it can be tested as a table.

Each action names the article that gives rise to it. The HTTP API, the web UI and the CLI ask
`require(principal, action, party=...)` and never decide on their own.
"""

from __future__ import annotations

from enum import StrEnum

from kelisim.domain.accounts import Principal, Role
from kelisim.domain.errors import PermissionDenied


class Action(StrEnum):
    READ_STATUS = "read_status"
    READ_AGREEMENT = "read_agreement"
    READ_LEDGER = "read_ledger"
    RECORD_INSTRUMENT = "record_instrument"
    MANAGE_ACCOUNTS = "manage_accounts"


ALL_ROLES = frozenset(Role)

POLICY: dict[Action, frozenset[Role]] = {
    # Status and the text of the Agreement are for anyone with an account (issue: "anyone with
    # an account asks the status").
    Action.READ_STATUS: ALL_ROLES,
    Action.READ_AGREEMENT: ALL_ROLES,
    Action.READ_LEDGER: ALL_ROLES,
    # Art. 13-15: instruments are received by the depositary alone.
    Action.RECORD_INSTRUMENT: frozenset({Role.DEPOSITARY}),
    # The depositary creates any account; a party-admin creates accounts of its own Party.
    Action.MANAGE_ACCOUNTS: frozenset({Role.DEPOSITARY, Role.PARTY_ADMIN}),
}

REASONS: dict[Action, str] = {
    Action.RECORD_INSTRUMENT: "Only the depositary records instruments (Art. 13-15).",
    Action.MANAGE_ACCOUNTS: "Only the depositary or a Party's party-admin manages accounts.",
}


def allowed(principal: Principal, action: Action, *, party: str | None = None) -> bool:
    if principal.role not in POLICY[action]:
        return False
    if action is Action.MANAGE_ACCOUNTS and principal.role is Role.PARTY_ADMIN:
        return party is not None and party == principal.party
    return True


def require(principal: Principal, action: Action, *, party: str | None = None) -> None:
    if not allowed(principal, action, party=party):
        reason = REASONS.get(action, f"Your role ({principal.role.value}) may not {action.value}.")
        if action is Action.MANAGE_ACCOUNTS and principal.role is Role.PARTY_ADMIN:
            reason = f"A party-admin manages accounts of its own Party ({principal.party}) only."
        raise PermissionDenied(reason, action=action.value)

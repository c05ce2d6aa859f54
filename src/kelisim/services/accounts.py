"""Create accounts and authenticate their tokens."""

from __future__ import annotations

from typing import Any

from kelisim.domain.access import Action, may_create_account, require
from kelisim.domain.accounts import (
    Principal,
    issue_token,
    secret_matches,
    split_token,
    validate_account,
)
from kelisim.domain.errors import N_, AuthenticationRequired, InvalidInput, Message, NotFound
from kelisim.domain.inputs import storable, stored_text
from kelisim.services.runtime import Runtime
from kelisim.storage.unit_of_work import UnitOfWork


def create_account(rt: Runtime, principal: Principal | None, *, name: str, role: str,
                   organization_kind: str, party: str | None = None,
                   organization: str | None = None) -> dict[str, Any]:
    """Create an account and return it with its token, which is shown this once only.

    `principal` None means the local operator (the CLI on the data folder) acts. Who may create
    which kind of account is domain/access.py's `may_create_account`, for the API, UI and CLI.
    """
    party = party.upper() if party else None
    if principal is not None:
        require(principal, Action.MANAGE_ACCOUNTS, party=party)
    stored_text(name, "name")
    stored_text(organization or "", "organization")
    stored_text(party or "", "party")
    if not name.strip():
        raise InvalidInput(Message(N_("An account needs a name.")), field="name")
    parsed_role, kind = validate_account(role, organization_kind, party)
    may_create_account(principal, parsed_role, kind, party).enforce(Action.MANAGE_ACCOUNTS.value)
    issued = issue_token()
    with rt.unit_of_work() as uow:
        if party is not None and party not in uow.reference.states():
            raise NotFound(Message(N_("{party} is not a state kelisim knows."), party=party),
                           field="party")
        account_id = uow.accounts.add(
            name=name.strip(), role=parsed_role, organization_kind=kind, party=party,
            organization=organization, token_id=issued.token_id, token_hash=issued.token_hash,
            created_at=rt.clock())
        uow.commit()
    return {"id": account_id, "name": name.strip(), "role": parsed_role.value,
            "organization_kind": kind.value, "party": party, "organization": organization,
            "token": issued.token}


def authenticate(rt: Runtime, token: str) -> Principal:
    token_id, secret = split_token(token)
    with rt.unit_of_work() as uow:
        found = uow.accounts.by_token_id(token_id)
    return checked(secret, *(found or (None, None)))


def checked(secret: str, principal: Principal | None, token_hash: str | None) -> Principal:
    """The account a token's secret opens, given what was stored under the token's id (found
    alone, or by the TAXII hot paths' one query: `exchange/callers.py`)."""
    if principal is None or token_hash is None or not secret_matches(secret, token_hash):
        raise AuthenticationRequired(Message(N_("The token matches no active account.")))
    return principal


def managed_account(uow: UnitOfWork, principal: Principal | None,
                    name_or_id: str) -> Principal:
    """The active account an administrator names (by exact name or number) and may manage:
    the local operator (`principal` None) any, otherwise as domain/access.py MANAGE_ACCOUNTS
    says (the depositary any, a party-admin its own Party's)."""
    if not storable(name_or_id):
        raise NotFound(Message(N_("No active account is named or numbered {name!r}."),
                               name=name_or_id), field="account")
    found = uow.sessions.account_for_sign_in(name_or_id.strip())
    if found is None and not uow.accounts.active_named(name_or_id.strip()):
        raise NotFound(Message(N_("No active account is named or numbered {name!r}."),
                               name=name_or_id), field="account")
    if found is None:  # a name two accounts share
        raise NotFound(Message(N_("No single active account is named {name!r}; give its "
                                  "id."), name=name_or_id), field="account")
    account = found[0]
    if principal is not None:
        require(principal, Action.MANAGE_ACCOUNTS, party=account.party)
    return account


def disable_account(rt: Runtime, principal: Principal | None,
                    name_or_id: str) -> dict[str, Any]:
    """Disable an account: its token and its web sessions stop working from the next request
    (a leaked token is revoked so). The account stays on record - the ledgers and the audit
    name it - and is listed with its `disabled_at`.

    `principal` None is the local operator (the CLI); otherwise the depositary, or a party-admin
    for its own Party's accounts (domain/access.py, MANAGE_ACCOUNTS), never its own account.
    """
    with rt.unit_of_work() as uow:
        account = managed_account(uow, principal, name_or_id)
        if principal is not None and account.account_id == principal.account_id:
            raise InvalidInput(Message(N_("An account cannot disable itself; another "
                                          "administrator, or the CLI on the server, can.")),
                               field="account")
        at = rt.clock()
        uow.accounts.disable(account.account_id, at)
        uow.sessions.remove_for_account(account.account_id)
        uow.commit()
    return {"id": account.account_id, "name": account.name, "role": account.role.value,
            "party": account.party, "disabled_at": at}


def list_accounts(rt: Runtime, principal: Principal | None) -> list[dict[str, Any]]:
    party = None
    if principal is not None:
        party = principal.party if principal.role.value == "party-admin" else None
        require(principal, Action.MANAGE_ACCOUNTS, party=party)
    with rt.unit_of_work() as uow:
        return uow.accounts.list(party)

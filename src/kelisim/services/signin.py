"""Signing in to the web UI with a password, and the server-side sessions that follow.

A password is optional (tokens remain the credential of scripts). Sessions live in the database
(docs/decisions/0006-ui-sessions.md): the browser holds a random id, the database its SHA-256 and
an absolute expiry, so signing out, disabling an account or changing its password ends sessions
at once - a self-contained signed cookie could not be revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, AuthenticationRequired, Message
from kelisim.domain.inputs import storable
from kelisim.domain.passwords import hash_password, password_matches
from kelisim.services.accounts import managed_account
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_records import ExchangeRecords

SESSION_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class OpenedSession:
    session_id: str
    principal: Principal
    expires_at: datetime


def set_password(rt: Runtime, principal: Principal | None, name_or_id: str,
                 password: str) -> Principal:
    """Set (or replace) an account's password; ends the account's open sessions.

    `principal` None is the local operator (the CLI); otherwise the depositary, or a party-admin
    for its own Party's accounts (domain/access.py, MANAGE_ACCOUNTS).
    """
    new_hash = hash_password(password)
    with rt.unit_of_work() as uow:
        account = managed_account(uow, principal, name_or_id)
        uow.sessions.set_password_hash(account.account_id, new_hash)
        uow.sessions.remove_for_account(account.account_id)
        uow.commit()
    return account


def sign_in(rt: Runtime, name_or_id: str, password: str) -> OpenedSession:
    """Check the password and open a session; one message for every failure (no enumeration)."""
    found: tuple[Principal, str | None] | None = None
    if storable(name_or_id):  # no account is named with a NUL: the same answer as unknown
        with rt.unit_of_work() as uow:
            found = uow.sessions.account_for_sign_in(name_or_id.strip())
    if not password_matches(password, found[1] if found else None) or found is None:
        raise AuthenticationRequired(Message(N_("The account name or the password is wrong.")))
    session_id = secrets.token_urlsafe(32)
    now = rt.clock()
    expires_at = now + SESSION_LIFETIME
    with rt.unit_of_work() as uow:
        uow.sessions.remove_expired(now)
        uow.sessions.add(session_digest(session_id), found[0].account_id, now, expires_at)
        uow.commit()
    return OpenedSession(session_id, found[0], expires_at)


def session_principal(rt: Runtime, session_id: str) -> Principal | None:
    with rt.unit_of_work() as uow:
        return uow.sessions.principal(session_digest(session_id), rt.clock())


def sign_out(rt: Runtime, session_id: str) -> None:
    with rt.unit_of_work() as uow:
        uow.sessions.remove(session_digest(session_id))
        uow.commit()


def accounts_with_password(rt: Runtime, account_ids: list[int]) -> set[int]:
    with rt.unit_of_work() as uow:
        return uow.sessions.has_password(account_ids)


def session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def ui_signing_key(rt: Runtime) -> bytes:
    """The key that signs the UI's cookies: one per database, shared by every server process."""
    with rt.unit_of_work() as uow:
        key = ExchangeRecords(uow.connection).secret("ui_signing")
        uow.commit()
    return key

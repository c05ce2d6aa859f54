"""Web UI sign-in: account passwords and server-side sessions (tables of migration 0004)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select, update

from kelisim.domain.accounts import Principal
from kelisim.domain.inputs import ascii_number
from kelisim.storage.accounts_repository import principal_of
from kelisim.storage.instants import aware
from kelisim.storage.schema import accounts, ui_sessions, ui_signin_attempts


class SessionsRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def account_for_sign_in(self, name_or_id: str) -> tuple[Principal, str | None] | None:
        """An active account by exact name or numeric id (ASCII digits), with its password hash."""
        condition = accounts.c.name == name_or_id
        number = ascii_number(name_or_id)
        if number is not None:
            condition = or_(condition, accounts.c.id == number)
        rows = self._connection.execute(
            select(accounts).where(condition, accounts.c.disabled_at.is_(None))
            .order_by(accounts.c.id).limit(2)).all()
        if len(rows) != 1:  # unknown, or a name two accounts share: ask for the id
            return None
        return principal_of(rows[0]), rows[0].password_hash

    def account(self, account_id: int) -> Principal | None:
        row = self._connection.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return None if row is None else principal_of(row)

    def set_password_hash(self, account_id: int, password_hash: str | None) -> None:
        self._connection.execute(update(accounts).where(accounts.c.id == account_id)
                                 .values(password_hash=password_hash))

    def has_password(self, account_ids: list[int]) -> set[int]:
        if not account_ids:
            return set()
        rows = self._connection.execute(
            select(accounts.c.id).where(accounts.c.id.in_(account_ids),
                                        accounts.c.password_hash.is_not(None)))
        return {row.id for row in rows}

    def add(self, id_hash: str, account_id: int, created_at: datetime,
            expires_at: datetime) -> None:
        self._connection.execute(insert(ui_sessions).values(
            id_hash=id_hash, account_id=account_id, created_at=created_at,
            expires_at=expires_at))

    def principal(self, id_hash: str, now: datetime) -> Principal | None:
        """The account of a live session (not expired, account not disabled)."""
        row = self._connection.execute(
            select(accounts, ui_sessions.c.expires_at)
            .join(ui_sessions, ui_sessions.c.account_id == accounts.c.id)
            .where(ui_sessions.c.id_hash == id_hash, accounts.c.disabled_at.is_(None))).first()
        if row is None or aware(row.expires_at) <= now:
            return None
        return principal_of(row)

    def remove(self, id_hash: str) -> None:
        self._connection.execute(delete(ui_sessions).where(ui_sessions.c.id_hash == id_hash))

    def remove_for_account(self, account_id: int) -> None:
        self._connection.execute(delete(ui_sessions)
                                 .where(ui_sessions.c.account_id == account_id))

    def remove_expired(self, now: datetime) -> None:
        self._connection.execute(delete(ui_sessions).where(ui_sessions.c.expires_at <= now))

    # --- sign-in attempts (the throttle, shared by every server process) -----------------------

    def recent_attempts(self, bucket: str, since: datetime, limit: int) -> list[datetime]:
        """The latest `limit` attempts in `bucket` after `since`, newest first."""
        t = ui_signin_attempts
        rows = self._connection.execute(
            select(t.c.attempted_at).where(t.c.bucket == bucket, t.c.attempted_at > since)
            .order_by(t.c.attempted_at.desc()).limit(limit)).scalars()
        return [aware(at) for at in rows]

    def add_attempts(self, buckets: list[str], at: datetime) -> None:
        self._connection.execute(insert(ui_signin_attempts),
                                 [{"bucket": b, "attempted_at": at} for b in buckets])

    def forget_attempts(self, before: datetime, keep_at_most: int) -> None:
        """Delete attempts at or before `before`, and the oldest beyond `keep_at_most` rows."""
        t = ui_signin_attempts
        self._connection.execute(delete(t).where(t.c.attempted_at <= before))
        cutoff = self._connection.execute(
            select(t.c.attempted_at).order_by(t.c.attempted_at.desc())
            .offset(keep_at_most).limit(1)).scalar()
        if cutoff is not None:
            self._connection.execute(delete(t).where(t.c.attempted_at <= cutoff))

"""Accounts in the database; only token digests are ever stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.inputs import ascii_number
from kelisim.storage.instants import aware
from kelisim.storage.schema import accounts


class AccountsRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *, name: str, role: Role, organization_kind: OrganizationKind,
            party: str | None, organization: str | None, token_id: str, token_hash: str,
            created_at: datetime) -> int:
        result = self._connection.execute(insert(accounts).values(
            name=name, role=role.value, organization_kind=organization_kind.value, party=party,
            organization=organization, token_id=token_id, token_hash=token_hash,
            created_at=created_at).returning(accounts.c.id))
        return int(result.scalar_one())

    def by_token_id(self, token_id: str) -> tuple[Principal, str] | None:
        row = self._connection.execute(
            select(accounts).where(accounts.c.token_id == token_id,
                                   accounts.c.disabled_at.is_(None))).first()
        return None if row is None else (principal_of(row), row.token_hash)

    def principal(self, account_id: int) -> Principal | None:
        """The account with this id, disabled or not (it posted what it posted)."""
        row = self._connection.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return None if row is None else principal_of(row)

    def active(self, account_id: int) -> Principal | None:
        """The account with this id if it is not disabled."""
        row = self._connection.execute(select(accounts).where(
            accounts.c.id == account_id, accounts.c.disabled_at.is_(None))).first()
        return None if row is None else principal_of(row)

    def disable(self, account_id: int, at: datetime) -> None:
        self._connection.execute(update(accounts).where(accounts.c.id == account_id,
                                                        accounts.c.disabled_at.is_(None))
                                 .values(disabled_at=at))

    def list(self, party: str | None = None) -> list[dict[str, Any]]:
        query = select(accounts.c.id, accounts.c.name, accounts.c.role,
                       accounts.c.organization_kind, accounts.c.party, accounts.c.organization,
                       accounts.c.created_at, accounts.c.disabled_at).order_by(accounts.c.id)
        if party is not None:
            query = query.where(accounts.c.party == party)
        return [{str(key): aware(value) for key, value in row._mapping.items()}
                for row in self._connection.execute(query)]

    def count(self) -> int:
        return len(self._connection.execute(select(accounts.c.id)).all())

    def active_named(self, name_or_id: str) -> int:
        """How many active accounts bear this exact name or number."""
        condition = accounts.c.name == name_or_id
        number = ascii_number(name_or_id)
        if number is not None:
            condition = or_(condition, accounts.c.id == number)
        return len(self._connection.execute(
            select(accounts.c.id).where(condition, accounts.c.disabled_at.is_(None))).all())


def principal_of(row: Any) -> Principal:
    """The Principal of an accounts row (or of any row carrying its columns)."""
    return Principal(account_id=row.id, name=row.name, role=Role(row.role),
                     organization_kind=OrganizationKind(row.organization_kind), party=row.party,
                     organization=row.organization)

"""A unit of work: one transaction, rolled back unless the use case calls `commit()`."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from kelisim.storage.accounts_repository import AccountsRepository
from kelisim.storage.ledger_repository import LedgerRepository
from kelisim.storage.reference_repository import ReferenceRepository
from kelisim.storage.sessions_repository import SessionsRepository


class UnitOfWork:
    connection: Connection
    ledger: LedgerRepository
    accounts: AccountsRepository
    reference: ReferenceRepository
    sessions: SessionsRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.connection = self._engine.connect()
        self._transaction = self.connection.begin()
        self.ledger = LedgerRepository(self.connection)
        self.accounts = AccountsRepository(self.connection)
        self.reference = ReferenceRepository(self.connection)
        self.sessions = SessionsRepository(self.connection)
        return self

    def commit(self) -> None:
        self._transaction.commit()
        self._committed = True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()


class UnitOfWorkFactory:
    """What services receive: call it to open a fresh unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

"""A unit of work: one transaction, rolled back unless the use case calls `commit()`.

A unit of work for reads only (`autocommit=True`) runs each statement on its own instead: no
BEGIN and no ROLLBACK round trips, which a TAXII page would otherwise pay on PostgreSQL. It suits
reads whose statements need not share a snapshot. It refuses `commit()`, and nothing may be
written through it (a write would not be atomic): a use case that writes opens an ordinary one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine

from kelisim.storage.accounts_repository import AccountsRepository
from kelisim.storage.ledger_repository import LedgerRepository
from kelisim.storage.reference_repository import ReferenceRepository
from kelisim.storage.sessions_repository import SessionsRepository

log = logging.getLogger(__name__)
COMMITTED_TOPICS = "kelisim.committed_topics"
"""Key in `Connection.info`: what a repository wrote in this transaction (e.g. "workspace"),
for the listeners told once it is committed."""


def mark_written(connection: Connection, topic: str) -> None:
    """Said by a repository that wrote something others wait for (the worker's notices)."""
    connection.info.setdefault(COMMITTED_TOPICS, set()).add(topic)


Listeners = dict[str, list[Callable[[], None]]]


class UnitOfWork:
    connection: Connection
    ledger: LedgerRepository
    accounts: AccountsRepository
    reference: ReferenceRepository
    sessions: SessionsRepository

    def __init__(self, engine: Engine, *, autocommit: bool = False,
                 listeners: Listeners | None = None) -> None:
        self._engine = engine
        self._committed = False
        self._autocommit = autocommit
        self._listeners = listeners or {}

    def __enter__(self) -> UnitOfWork:
        self.connection = self._engine.connect()
        if self._autocommit:
            self.connection.execution_options(isolation_level="AUTOCOMMIT")
        self._transaction = self.connection.begin()
        self.ledger = LedgerRepository(self.connection)
        self.accounts = AccountsRepository(self.connection)
        self.reference = ReferenceRepository(self.connection)
        self.sessions = SessionsRepository(self.connection)
        return self

    def commit(self) -> None:
        if self._autocommit:
            raise RuntimeError("an autocommit unit of work is for reads; "
                               "open an ordinary one to write")
        self._transaction.commit()
        self._committed = True
        for topic in self.connection.info.pop(COMMITTED_TOPICS, ()):
            for listener in self._listeners.get(topic, ()):
                try:
                    listener()
                except Exception:  # committed already: a hint that fails must not say otherwise
                    log.exception("a listener of %r failed after the commit", topic)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.info.pop(COMMITTED_TOPICS, None)  # the pool reuses the connection
            self.connection.close()


class UnitOfWorkFactory:
    """What services receive: call it to open a fresh unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.listeners: Listeners = {}

    def __call__(self, *, autocommit: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, autocommit=autocommit, listeners=self.listeners)

    def on_commit(self, topic: str, listener: Callable[[], None]) -> None:
        """Call `listener` after each commit of a transaction that wrote `topic`."""
        self.listeners.setdefault(topic, []).append(listener)

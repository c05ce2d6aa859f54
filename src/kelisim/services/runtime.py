"""The one wiring point: settings, engine, unit-of-work factory and clock, built once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kelisim.config import Settings
from kelisim.domain.clock import Clock, FileClock, system_clock
from kelisim.services import process_hints
from kelisim.services.exchange.screening import Screener, default_processes
from kelisim.storage.database import make_engine
from kelisim.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

CHANGED_KEY = "federation.changed"
WAKE_KEY = "exchange.worker.wake"


@dataclass
class Runtime:
    settings: Settings
    uow: UnitOfWorkFactory
    clock: Clock
    caches: dict[str, Any] = field(default_factory=dict)
    """Per-process caches keyed by what invalidates them (e.g. the ledger head)."""
    screener: Screener = field(default_factory=lambda: Screener(0))
    """Checks posted STIX objects, with worker processes on a machine of several cores."""
    background: list[threading.Thread] = field(default_factory=list)
    """Short jobs started off the request path (planner statistics); waited for on close."""

    def unit_of_work(self, *, autocommit: bool = False) -> UnitOfWork:
        return self.uow(autocommit=autocommit)

    def run_in_background(self, name: str, job: Callable[[], None]) -> None:
        self.background = [t for t in self.background if t.is_alive()]
        thread = threading.Thread(target=job, daemon=True, name=name)
        self.background.append(thread)
        thread.start()

    def exchange_changed(self) -> None:
        """An intake or a deletion committed: the federation's notifier (if this server is a
        node, see services/federation/engine.py) tells the peers at once, instead of their
        waiting for the next interval."""
        for key in (CHANGED_KEY, WAKE_KEY):  # and the worker matches it to the subscriptions
            self.hint(key)

    def hint(self, key: str) -> None:
        """Set the event `key` names; in a worker of several, the supervisor's
        (services/process_hints.py)."""
        event = self.caches.get(key)
        if isinstance(event, threading.Event):
            event.set()
        elif process_hints.relays(self.settings, key):
            process_hints.send(self.settings, key)

    def close(self) -> None:
        for thread in self.background:
            thread.join(timeout=60)
        self.screener.close()
        self.uow.engine.dispose()


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    if clock is None:
        clock = system_clock if settings.clock_file is None else file_clock(settings.clock_file)
    engine = make_engine(settings.effective_database_url)
    processes = settings.intake_processes
    return Runtime(settings=settings, uow=UnitOfWorkFactory(engine), clock=clock,
                   screener=Screener(default_processes() if processes is None else processes))


def file_clock(path: Path) -> FileClock:
    return FileClock(lambda: path.stat().st_mtime_ns, path.read_text)

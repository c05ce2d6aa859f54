"""The one wiring point: settings, engine, unit-of-work factory and clock, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kelisim.config import Settings
from kelisim.domain.clock import Clock, system_clock
from kelisim.storage.database import make_engine
from kelisim.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass
class Runtime:
    settings: Settings
    uow: UnitOfWorkFactory
    clock: Clock
    caches: dict[str, Any] = field(default_factory=dict)
    """Per-process caches keyed by what invalidates them (e.g. the ledger head)."""

    def unit_of_work(self) -> UnitOfWork:
        return self.uow()

    def close(self) -> None:
        self.uow.engine.dispose()


def build_runtime(settings: Settings, clock: Clock = system_clock) -> Runtime:
    engine = make_engine(settings.effective_database_url)
    return Runtime(settings=settings, uow=UnitOfWorkFactory(engine), clock=clock)

"""Hints between the processes of `kelisim up --workers N` (services/process_hints.py): a
peer's notify or an intake in a worker wakes the supervisor's federation sync, over a real
datagram socket, from another runtime of this process and from another process."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kelisim.config import Settings
from kelisim.services import process_hints
from kelisim.services.federation import engine
from kelisim.services.runtime import CHANGED_KEY, build_runtime

SUPERVISOR_KEYS = (engine.WAKE_KEY, CHANGED_KEY)


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[tuple[Settings, dict[str, threading.Event]]]:
    settings = Settings(data_dir=tmp_path, workers=2)
    events = {key: threading.Event() for key in SUPERVISOR_KEYS}
    stop = threading.Event()
    thread = process_hints.listen(settings, dict(events), stop)
    yield settings, events
    stop.set()
    thread.join(timeout=5)


def test_a_workers_notify_and_intake_wake_the_supervisors_sync(
        supervisor: tuple[Settings, dict[str, threading.Event]]) -> None:
    settings, events = supervisor
    worker = build_runtime(settings)  # no sync of its own, as in a worker process
    try:
        engine.wake(worker)  # a peer's POST /federation/v1/notify
        assert events[engine.WAKE_KEY].wait(5)
        assert not events[CHANGED_KEY].is_set()
        worker.exchange_changed()  # an intake committed
        assert events[CHANGED_KEY].wait(5)
    finally:
        worker.close()


def test_a_hint_from_another_process_is_taken_and_an_unknown_key_ignored(
        supervisor: tuple[Settings, dict[str, threading.Event]]) -> None:
    settings, events = supervisor
    script = ("import sys; from pathlib import Path; from kelisim.config import Settings; "
              "from kelisim.services.process_hints import send; "
              "s = Settings(data_dir=Path(sys.argv[1]), workers=2); "
              "send(s, 'exchange.worker.wake'); send(s, 'federation.wake')")
    subprocess.run([sys.executable, "-c", script, str(settings.data_dir)], check=True,
                   timeout=60)
    assert events[engine.WAKE_KEY].wait(5)
    assert not events[CHANGED_KEY].is_set()


def test_one_process_keeps_its_hints_and_nobody_listening_is_no_error(tmp_path: Path) -> None:
    alone = build_runtime(Settings(data_dir=tmp_path / "a"))
    several = build_runtime(Settings(data_dir=tmp_path / "b", workers=2))
    try:
        assert not process_hints.relays(alone.settings, engine.WAKE_KEY)
        assert process_hints.relays(several.settings, engine.WAKE_KEY)
        assert not process_hints.relays(several.settings, "exchange.worker.wake")
        engine.wake(alone)
        engine.wake(several)  # no supervisor: the sync's interval covers it
    finally:
        alone.close()
        several.close()


def test_a_second_server_on_the_same_data_folder_listens_to_nothing_and_says_so(
        supervisor: tuple[Settings, dict[str, threading.Event]],
        caplog: pytest.LogCaptureFixture) -> None:
    settings, _ = supervisor
    assert process_hints.listen(settings, {}, threading.Event()) is None
    assert "another kelisim takes the hints" in caplog.text

"""Processes accepted envelopes: inline right after the 202, and in a thread that resumes the
queue on start (an accepted POST survives a crash; TAXII 2.1 section 5.5, issue 4). The same
thread then matches what was stored against the subscriptions, turns the workspace's new events
and near deadlines into notices, and sends the notices that are due (services/notifications;
woken by every intake's commit, `Runtime.exchange_changed`, and every workspace event's,
`UnitOfWorkFactory.on_commit`; else every 30 s)."""

from __future__ import annotations

import logging
import threading

from kelisim.services.exchange.intake import process_job
from kelisim.services.notifications.delivery import deliver_pending
from kelisim.services.notifications.matching import match_new
from kelisim.services.notifications.workspace_pass import notify_deadlines, notify_workspace
from kelisim.services.runtime import WAKE_KEY, Runtime
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.workspace_repository import WORKSPACE_TOPIC

log = logging.getLogger(__name__)


def process_queued(rt: Runtime) -> int:
    """Process every queued job, oldest first; returns how many this call completed."""
    with rt.unit_of_work() as uow:
        queued = ExchangeRecords(uow.connection).queued()
    return sum(1 for status_id in queued if process_job(rt, status_id))


def notify_subscribers(rt: Runtime) -> tuple[int, int]:
    """One matcher pass, the workspace's passes (its events since the cursor; the deadlines
    once a day: decision 0025), then the deliveries that are due: (notifications written,
    sent)."""
    written = match_new(rt) + notify_workspace(rt) + notify_deadlines(rt)
    return written, deliver_pending(rt)


class ExchangeWorker:
    """A background thread that drains the queue when started and whenever notified."""

    def __init__(self, rt: Runtime, poll_seconds: float = 30.0) -> None:
        self.rt = rt
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        rt.caches[WAKE_KEY] = self._wake
        rt.uow.on_commit(WORKSPACE_TOPIC, self._wake.set)  # a workspace event: its notices

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kelisim-exchange-worker",
                                            daemon=True)
            self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                process_queued(self.rt)
            except Exception:  # keep the worker alive; the job stays queued for the next pass
                log.exception("the exchange worker could not drain the queue")
            try:
                notify_subscribers(self.rt)
            except Exception:  # the cursor and the delivery log resume on the next pass
                log.exception("the exchange worker could not notify the subscribers")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

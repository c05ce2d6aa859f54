"""The pure checks of an envelope's objects - the Art. 6 state-secret scan and STIX 2.1
validation - split across worker processes when the envelope is large.

Why processes: the two checks are CPU work in Python (about 45 us an object, most of an
envelope's cost) and a TAXII client posts one envelope and waits for its status (TAXII 2.1
section 5.5), so the only way a second core can shorten that wait is to check part of the same
envelope. Threads cannot (the GIL); a process can. A worker receives its share as JSON bytes
over a pipe (cheaper to send than pickled dicts) and returns small verdicts. The verdicts are
those of the very same functions run in this process, so where an object is checked never
changes the answer (tests/integration/test_exchange_screening.py compares both ways object by
object). If a worker cannot be used (not started, dead), the checks run here instead: slower,
never different.

Small envelopes are checked here: sending them would cost more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import orjson

from kelisim.domain.attack import reference_problems
from kelisim.domain.json_limits import json_problem
from kelisim.domain.stix.state_secrets import state_secret_reason
from kelisim.domain.stix.validation import validate_stix_object

log = logging.getLogger(__name__)

SMALLEST_SHARED = 200
"""Envelopes of fewer objects are checked in the requesting process."""
OWN_WEIGHT = 1.2
"""The requesting thread's share against a worker's: a worker also decodes its share and
encodes its answer, so equal shares left the request waiting for it (measured: 20 ms against
24 ms for 500 objects)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the pure checks say of one object: a state secret (Art. 6), STIX problems, and
    `unstorable`: why it could not be stored and served back at all (too deep, NaN, an integer
    beyond 2**53), which refuses the envelope whole (issue 17)."""

    secret: bool
    errors: tuple[str, ...]
    unstorable: str | None = None


def verdict_of(obj: Any) -> Verdict:
    problem = json_problem(obj)  # first: the other checks need a value they can walk
    if problem:
        return Verdict(False, (problem,), problem)  # a failure wherever it is stored
    return Verdict(state_secret_reason(obj) is not None,
                   (*validate_stix_object(obj), *reference_problems(obj)))


def check_here(objects: Sequence[Any]) -> list[Verdict]:
    return [verdict_of(obj) for obj in objects]


def _serve(connection: Connection) -> None:
    """A worker process: answers each JSON list of objects with the JSON list of their verdicts
    ([secret, [errors...], unstorable] an object), until the pipe closes. Ctrl-C in a terminal
    reaches the whole process group: the server shuts down and closes the pipe; the worker just
    ends then."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            share = connection.recv_bytes()
        except (EOFError, OSError):
            return
        verdicts = check_here(orjson.loads(share))
        connection.send_bytes(orjson.dumps([[v.secret, v.errors, v.unstorable] for v in verdicts]))


def default_processes() -> int:
    """One worker per core beyond the first (the request's own thread checks a share too)."""
    return max(0, (os.cpu_count() or 1) - 1)


class _Worker:
    """One worker process and our end of its pipe. Plain pipes, no executor: an executor's
    feeder and result threads need the GIL that the requesting thread holds while it checks its
    own share, which delayed each answer by several milliseconds."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # never a fork of a threaded process
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True,
                                       name="kelisim-screening")
        self.process.start()
        theirs.close()

    def send(self, share: bytes) -> None:
        self.connection.send_bytes(share)

    def receive(self) -> list[Verdict]:
        return [Verdict(bool(secret), tuple(errors), unstorable)
                for secret, errors, unstorable in orjson.loads(self.connection.recv_bytes())]

    def stop(self) -> None:
        self.connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


class Screener:
    """Checks an envelope's objects, sharing the work with `processes` worker processes.

    Requests check concurrently: each takes the workers that are idle (none idle: it checks
    alone), so a worker only ever serves one request at a time."""

    def __init__(self, processes: int, smallest_shared: int = SMALLEST_SHARED) -> None:
        self.processes = processes
        self.smallest_shared = smallest_shared
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the workers now (they take a moment to import), so the first large envelope
        does not wait for them."""
        with self._lock:
            try:
                while len(self._all) < self.processes:
                    worker = _Worker()
                    self._all.append(worker)
                    self._idle.append(worker)
            except Exception:
                log.exception("the screening workers could not be started; checking in the "
                              "requesting process")
                self.processes = 0

    def check(self, objects: Sequence[Any]) -> list[Verdict]:
        if len(objects) < self.smallest_shared or self.processes <= 0:
            return check_here(objects)
        if not self._all:
            self.start()
        with self._lock:
            workers, self._idle = self._idle, []
        if not workers:
            return check_here(objects)
        own = round(len(objects) * OWN_WEIGHT / (OWN_WEIGHT + len(workers)))
        size = -(-(len(objects) - own) // len(workers))
        shares = [(start, worker) for start, worker in
                  zip(range(own, len(objects), size), workers, strict=False)]
        sent: list[tuple[int, _Worker | None]] = []
        for start, worker in shares:
            try:
                payload = orjson.dumps(list(objects[start:start + size]))
            except orjson.JSONEncodeError:  # too deep to carry: checked here, worker kept
                self._release(worker)
                sent.append((start, None))
                continue
            try:
                worker.send(payload)
                sent.append((start, worker))
            except Exception:  # a dead worker
                self._drop(worker)
                sent.append((start, None))
        verdicts = check_here(objects[:own])
        for start, maybe in sent:
            share = objects[start:start + size]
            if maybe is not None:
                try:
                    verdicts.extend(maybe.receive())
                    self._release(maybe)
                    continue
                except Exception:
                    self._drop(maybe)
            verdicts.extend(check_here(share))
        for worker in workers[len(shares):]:
            self._release(worker)
        return verdicts

    def close(self) -> None:
        with self._lock:
            workers, self._all, self._idle = self._all, [], []
        for worker in workers:
            worker.stop()

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._idle.append(worker)

    def _drop(self, worker: _Worker) -> None:
        """A worker that failed is stopped and not replaced: its share, and from now on the
        whole of every envelope, is checked here (one warning; a restart brings workers back)."""
        log.warning("a screening worker failed; checking in the requesting process from now on",
                    exc_info=True)
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            self.processes = 0
        worker.stop()

"""Hints between the processes of one `kelisim up --workers N` (issue 14, item 5).

With several workers the federation's sync runs once, in the supervisor, while a peer's
`POST /federation/v1/notify` or an intake lands in one of the workers: their in-process
`threading.Event` would wake nothing, and the sync would wait for its interval. A worker
therefore sends the key of the event (`federation.wake`: a peer has new transfers;
`federation.changed`: this node has) as a datagram, and the supervisor sets its event.

A hint carries nothing else: the sync reads what changed from the database, as it would at its
next interval, so a lost, repeated or forged hint costs at most a sync run early. The socket is
in Linux's abstract namespace, named after the data folder: no file left behind by a crash, no
path-length limit; a process of the machine's network namespace may send one, which does no
more than that.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
from typing import Any

from kelisim.config import Settings

log = logging.getLogger(__name__)
RELAYED = frozenset({"federation.wake", "federation.changed"})
"""The keys of `Runtime.caches` whose events a worker's hint sets in the supervisor."""


def address(settings: Settings) -> str:
    folder = str(settings.data_dir.resolve()).encode()
    return "\0kelisim-hints-" + hashlib.sha256(folder).hexdigest()[:32]


def relays(settings: Settings, key: str) -> bool:
    """A hint for `key` must leave this process: several workers, and a key the supervisor
    waits on."""
    return settings.workers > 1 and key in RELAYED


def send(settings: Settings, key: str) -> None:
    """Tell the supervisor; nobody listening (a plain `kelisim sync`) is no error."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(key.encode(), address(settings))
        except OSError as error:  # no supervisor: its interval covers this
            log.debug("no process took the hint %s: %s", key, error)


def listen(settings: Settings, caches: dict[str, Any], stop: threading.Event
           ) -> threading.Thread | None:
    """In the supervisor: set the event of each relayed key a worker names, until `stop`.
    None if another process already listens for this data folder (a second `kelisim up` on
    it): that server's sync takes the hints, this one's waits for its interval."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(address(settings))
    except OSError as error:
        sock.close()
        log.warning("another kelisim takes the hints of %s (%s): this server's federation "
                    "sync runs at its interval", settings.data_dir, error)
        return None
    sock.settimeout(0.5)

    def run() -> None:
        with sock:
            while not stop.is_set():
                try:
                    key = sock.recv(64).decode(errors="replace")
                except TimeoutError:
                    continue
                event = caches.get(key) if key in RELAYED else None
                if isinstance(event, threading.Event):
                    event.set()

    thread = threading.Thread(target=run, name="kelisim-process-hints", daemon=True)
    thread.start()
    return thread

"""Time is passed in: a clock is any callable returning an aware UTC datetime."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FixedClock:
    """A clock for tests and replays: returns `now` until moved."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class FileClock:
    """A clock read from a file holding an ISO 8601 instant (for tests and drills of nodes that
    run as separate processes: the test moves every node's day by writing one file). The file
    is read again only when it changes."""

    def __init__(self, stamp: Callable[[], float], read: Callable[[], str]) -> None:
        """`stamp` gives the file's modification stamp, `read` its text (no I/O here)."""
        self._stamp, self._read = stamp, read
        self._seen: tuple[float, datetime] | None = None

    def __call__(self) -> datetime:
        stamp = self._stamp()
        if self._seen is None or self._seen[0] != stamp:
            instant = datetime.fromisoformat(self._read().strip())
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=UTC)
            self._seen = (stamp, instant.astimezone(UTC))
        return self._seen[1]

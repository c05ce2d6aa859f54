"""Sign-in attempts rate-limited per account and per client address (sliding window).

OWASP's Authentication Cheat Sheet: throttle guessing per account *and* per source, so neither
one account nor one address can be used to guess fast. Counted in memory, per process: a restart
forgets, which costs an attacker nothing they could not get by waiting a minute.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from threading import Lock

ACCOUNT_FAILURES_PER_MINUTE = 5
ADDRESS_ATTEMPTS_PER_MINUTE = 20
WINDOW_SECONDS = 60.0


class SlidingWindow:
    def __init__(self, limit: int, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 if it may try now."""
        with self._lock:
            hits = self._prune(key)
            if len(hits) < self.limit:
                return 0
            return max(1, int(hits[0] + self.window - self._clock()) + 1)

    def hit(self, key: str) -> None:
        with self._lock:
            self._prune(key).append(self._clock())

    def _prune(self, key: str) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        cutoff = self._clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits and len(self._hits) > 10_000:
            self._hits.pop(key, None)
            hits = self._hits.setdefault(key, deque())
        return hits


class SignInLimiter:
    """At most 5 failed sign-ins per account name and 20 attempts per address, per minute."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.accounts = SlidingWindow(ACCOUNT_FAILURES_PER_MINUTE, clock=clock)
        self.addresses = SlidingWindow(ADDRESS_ATTEMPTS_PER_MINUTE, clock=clock)

    def retry_after(self, account: str, address: str) -> int:
        return max(self.accounts.retry_after(account.strip().casefold()),
                   self.addresses.retry_after(address))

    def attempted(self, account: str, address: str, *, failed: bool) -> None:
        self.addresses.hit(address)
        if failed:
            self.accounts.hit(account.strip().casefold())

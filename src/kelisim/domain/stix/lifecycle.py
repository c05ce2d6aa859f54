"""An indicator's lifecycle: active, expired or revoked, and a decay score (issue 16, item 9).

Why: a sensor fed with every indicator ever posted drowns in stale addresses; MISP's decay models
and OpenCTI's decay rules both score an indicator down with age, faster for the kinds of value
that change hands quickly (an IP address) than for those that do not (a file hash). kelisim
computes the same from the stored STIX object, never altering it: the state and score are shown
next to the object (UI, API) and exports leave out what is not active unless asked.

The rules, in order (each cites what it applies):
1. `revoked: true` -> revoked, score 0 (STIX 2.1 §3.6: a revoked object is no longer valid);
   any other object than an indicator is active, score 100 (nothing else decays).
2. `valid_until` given and passed -> expired (STIX 2.1 §4.7: "no longer considered a valid
   indicator"); given and not passed -> active, whatever the score: the producer said how long
   it holds, and the score then runs down from 100 at the start to 0 at `valid_until`.
3. Otherwise the score decays over the lifetime of its kind of value (MISP's polynomial decay:
   score = 100 * (1 - (age / lifetime) ** (1 / speed)), 0 past the lifetime), its age counted
   from the later of `valid_from` and `modified` (a new version is a re-confirmation); an
   indicator whose values are of several kinds takes the shortest of their lifetimes. Under
   `threshold` -> expired.
A `valid_from` in the future is active with the full score (it is not yet decaying).

Defaults (days; settings KELISIM_DECAY_LIFETIMES, a JSON object by kind, overrides them):
IP addresses and networks 60, URLs 180, domain names and e-mail addresses 180, everything else
(file hashes and names, and what has no observable value) 470 (OpenCTI's default rule);
speed 1.0 (linear; KELISIM_DECAY_SPEED), threshold 20 (KELISIM_DECAY_THRESHOLD).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

__all__ = ["DEFAULT_LIFETIMES", "Decay", "Lifecycle", "State", "lifecycle"]

DEFAULT_LIFETIMES: dict[str, int] = {
    "ipv4-addr": 60, "ipv6-addr": 60, "url": 180, "domain-name": 180, "email-addr": 180,
    "default": 470,
}


class State(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Decay:
    """How scores decay: a lifetime in days per kind of value ('default' for the rest), the
    speed of the polynomial (1: linear; under 1 the score holds longer, then falls), and the
    score under which an indicator without `valid_until` is expired."""

    lifetimes: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LIFETIMES))
    speed: float = 1.0
    threshold: float = 20.0

    def lifetime(self, kinds: Iterable[str]) -> int:
        default = self.lifetimes.get("default", DEFAULT_LIFETIMES["default"])
        found = [self.lifetimes.get(kind, default) for kind in kinds]
        return min(found) if found else default


@dataclass(frozen=True)
class Lifecycle:
    state: State
    score: int
    """0-100."""
    reason: str
    valid_until: datetime | None
    """As given, or when the score crosses the threshold (None: never, e.g. revoked)."""

    def view(self) -> dict[str, Any]:
        return {"state": self.state.value, "score": self.score, "reason": self.reason,
                "valid_until": None if self.valid_until is None
                else self.valid_until.isoformat().replace("+00:00", "Z")}


def lifecycle(obj: Mapping[str, Any], kinds: Iterable[str], now: datetime,
              decay: Decay | None = None) -> Lifecycle:
    """The state and score of a STIX object today (see the module for the rules)."""
    decay = decay or Decay()
    if obj.get("revoked") is True:
        return Lifecycle(State.REVOKED, 0, "revoked by its producer (STIX 2.1 §3.6)", None)
    if obj.get("type") != "indicator":
        return Lifecycle(State.ACTIVE, 100, "not an indicator: no decay", None)
    start = max(filter(None, (_instant(obj.get("valid_from")), _instant(obj.get("modified")),
                              _instant(obj.get("created")))), default=now)
    until = _instant(obj.get("valid_until"))
    if until is not None:
        score = _score(now, start, (until - start).total_seconds(), decay.speed)
        if now >= until:
            return Lifecycle(State.EXPIRED, 0, "valid_until has passed (STIX 2.1 §4.7)", until)
        return Lifecycle(State.ACTIVE, score, "valid until the time its producer gave", until)
    days = decay.lifetime(kinds)
    span = days * 86_400.0
    score = _score(now, start, span, decay.speed)
    crossing = _crossing(start, span, decay)
    if score < decay.threshold:
        return Lifecycle(State.EXPIRED, score, f"decayed under {decay.threshold:g} "
                         f"(lifetime {days} days)", crossing)
    return Lifecycle(State.ACTIVE, score, f"decaying over {days} days", crossing)


def _score(now: datetime, start: datetime, span: float, speed: float) -> int:
    if span <= 0:
        return 0
    age = (now - start).total_seconds()
    if age <= 0:
        return 100
    if age >= span:
        return 0
    return round(100 * (1 - (age / span) ** (1 / speed)))


def _crossing(start: datetime, span: float, decay: Decay) -> datetime:
    """When the score falls under the threshold: 100 * (1 - (t/span)^(1/speed)) = threshold
    solved for t."""
    remaining = max(0.0, min(1.0, 1 - decay.threshold / 100))
    return start + timedelta(seconds=span * remaining ** decay.speed)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

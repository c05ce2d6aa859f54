"""The lifecycle rules of `domain.stix.lifecycle`, as a table: state and score by revocation,
valid_until, the kind of value and its age (issue 16, item 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kelisim.domain.stix.lifecycle import Decay, State, lifecycle

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def stamp(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")


def obj(**fields: object) -> dict[str, object]:
    return {"type": "indicator", "created": stamp(400), "modified": stamp(400), **fields}


RULES = [
    # (what, object, kinds, decay, state, score)
    ("revoked beats everything", obj(revoked=True, valid_from=stamp(0)), ["url"], Decay(),
     State.REVOKED, 0),
    ("valid_until passed", obj(valid_from=stamp(10), valid_until=stamp(1)), ["SHA-256"],
     Decay(), State.EXPIRED, 0),
    ("valid_until ahead holds whatever the score", obj(valid_from=stamp(90),
     valid_until=stamp(-10)), ["ipv4-addr"], Decay(), State.ACTIVE, 10),
    ("a fresh IP address", obj(valid_from=stamp(0)), ["ipv4-addr"], Decay(), State.ACTIVE, 100),
    ("an IP address at half its 60 days", obj(valid_from=stamp(30)), ["ipv4-addr"], Decay(),
     State.ACTIVE, 50),
    ("an IP address past 80% of 60 days", obj(valid_from=stamp(50)), ["ipv6-addr"], Decay(),
     State.EXPIRED, 17),
    ("a URL of 50 days still holds (180)", obj(valid_from=stamp(50)), ["url"], Decay(),
     State.ACTIVE, 72),
    ("a hash of 400 days (default 470)", obj(valid_from=stamp(400)), ["SHA-256"], Decay(),
     State.EXPIRED, 15),
    ("several kinds take the shortest lifetime", obj(valid_from=stamp(50)),
     ["SHA-256", "ipv4-addr"], Decay(), State.EXPIRED, 17),
    ("a new version restarts the decay", obj(valid_from=stamp(59), modified=stamp(1)),
     ["ipv4-addr"], Decay(), State.ACTIVE, 98),
    ("a valid_from ahead is not yet decaying", obj(valid_from=stamp(-5)), ["ipv4-addr"],
     Decay(), State.ACTIVE, 100),
    ("lifetimes are configurable per kind", obj(valid_from=stamp(30)), ["ipv4-addr"],
     Decay({"ipv4-addr": 30}), State.EXPIRED, 0),
    ("a slower speed holds the score longer", obj(valid_from=stamp(30)), ["ipv4-addr"],
     Decay(speed=0.5), State.ACTIVE, 75),
    ("the threshold is configurable", obj(valid_from=stamp(30)), ["ipv4-addr"],
     Decay(threshold=60), State.EXPIRED, 50),
    ("no value: the default lifetime", obj(valid_from=stamp(235)), [], Decay(), State.ACTIVE,
     50),
    ("other objects do not decay", {"type": "report", "created": stamp(4000)}, [], Decay(),
     State.ACTIVE, 100),
    ("other objects may be revoked", {"type": "malware", "revoked": True}, [], Decay(),
     State.REVOKED, 0),
]


@pytest.mark.parametrize(("what", "stix", "kinds", "decay", "state", "score"), RULES,
                         ids=[r[0] for r in RULES])
def test_lifecycle_rule(what: str, stix: dict[str, object], kinds: list[str], decay: Decay,
                        state: State, score: int) -> None:
    found = lifecycle(stix, kinds, NOW, decay)
    assert (found.state, found.score) == (state, score), found.reason


def test_the_decay_says_when_it_crosses_the_threshold() -> None:
    found = lifecycle(obj(valid_from=stamp(0)), ["ipv4-addr"], NOW)
    assert found.valid_until == NOW + timedelta(days=48)  # 80% of 60 days, linear
    view = found.view()
    assert view["state"] == "active" and view["valid_until"].endswith("Z")

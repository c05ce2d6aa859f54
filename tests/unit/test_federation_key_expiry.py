"""Node keys expire (issue 14, item 1; decision 0014, "Key expiry"): the depositary's node gives
each key it admits at most a configured lifetime, written as the roster entry's `valid_until`
that every build enforces; a key's dated validity (valid_from, valid_until, revoked, rotated)
says which signatures it makes count, and why one does not (`silence`); the status warns before
a key expires with no successor (`expiring`)."""

from __future__ import annotations

from datetime import date

import pytest

from kelisim.domain.errors import FederationError
from kelisim.domain.federation.roster import (
    Roster,
    admit,
    expiring,
    key_resolver,
    revoke,
    roster_from_json,
    roster_to_json,
    sign_roster,
    silence,
    speaker,
)
from kelisim.domain.federation.signing import NodeKey
from tests.unit.test_federation_rotation import (
    ANCHOR_A,
    KAZ_1,
    KAZ_2,
    RUS_1,
    descriptor,
)
from tests.unit.test_federation_rotation import (
    base as unlimited,
)

D = date.fromisoformat


def expiring_roster() -> Roster:
    """KAZ_1 admitted on 10 January for 90 days (until 10 April); RUS_1 as in `base`."""
    roster = unlimited()
    without_kaz = Roster(roster.serial, roster.issued_at, roster.depositary_key,
                         tuple(e for e in roster.entries if e.party != "KAZ"))
    return admit(without_kaz, descriptor(KAZ_1, "KAZ", "2026-01-10"), D("2026-01-10"),
                 lifetime_days=90)


def rotated_before_expiry() -> Roster:
    """KAZ_2 admitted on 1 March from 10 March: it closes KAZ_1 before its expiry."""
    return admit(expiring_roster(), descriptor(KAZ_2, "KAZ", "2026-03-10"), D("2026-03-01"),
                 lifetime_days=90)


def revoked_before_expiry() -> Roster:
    return revoke(expiring_roster(), KAZ_1.key_id, D("2026-02-01"))


ROSTERS = {"expiring": expiring_roster, "rotated": rotated_before_expiry,
           "revoked": revoked_before_expiry, "unlimited": unlimited}


@pytest.mark.parametrize(
    ("roster", "key", "day", "says"),
    [
        pytest.param("expiring", KAZ_1, "2026-01-09", "speaks from 2026-01-10",
                     id="before-valid-from"),
        pytest.param("expiring", KAZ_1, "2026-01-10", None, id="on-valid-from"),
        pytest.param("expiring", KAZ_1, "2026-04-09", None, id="the-day-before-expiry"),
        pytest.param("expiring", KAZ_1, "2026-04-10", "expired on 2026-04-10",
                     id="on-the-expiry-day"),
        pytest.param("expiring", KAZ_1, "2027-01-01", "expired on 2026-04-10",
                     id="long-after-expiry"),
        pytest.param("rotated", KAZ_1, "2026-03-09", None, id="rotated-the-day-before"),
        pytest.param("rotated", KAZ_1, "2026-03-10", "rotated out on 2026-03-10",
                     id="rotated-on-the-successors-first-day"),
        pytest.param("rotated", KAZ_2, "2026-06-07", None, id="successor-before-its-expiry"),
        pytest.param("rotated", KAZ_2, "2026-06-08", "expired on 2026-06-08",
                     id="successor-expires-after-its-own-lifetime"),
        pytest.param("revoked", KAZ_1, "2026-01-31", None, id="revoked-the-day-before"),
        pytest.param("revoked", KAZ_1, "2026-02-01", "revoked from 2026-02-01",
                     id="revoked-before-expiry"),
        pytest.param("revoked", KAZ_1, "2026-05-01", "revoked from 2026-02-01",
                     id="revoked-and-expired-says-revoked"),
        pytest.param("unlimited", KAZ_1, "2036-01-01", None, id="no-lifetime-no-expiry"),
    ],
)
def test_the_dated_validity_of_a_key(roster: str, key: NodeKey, day: str,
                                     says: str | None) -> None:
    held = ROSTERS[roster]()
    entry = next(e for e in held.entries if e.public_key == key.public_key)
    why = silence(held, entry, D(day))
    if says is None:
        assert why is None
        assert speaker(held, entry.key_id, D(day)) == entry
        assert key_resolver(held, D(day))(entry.key_id) == entry.public_key
    else:
        assert why is not None and says in why
        assert speaker(held, entry.key_id, D(day)) is None
        assert key_resolver(held, D(day))(entry.key_id) is None  # requests refused too


def test_the_expiry_is_the_valid_until_every_build_reads() -> None:
    """Wire compatibility: the expiry is the entry's `valid_until`, a field the roster always
    had; a roster with an expiring key round-trips and keeps its signed bytes."""
    held = expiring_roster()
    kaz = next(e for e in held.entries if e.party == "KAZ")
    assert kaz.valid_until == D("2026-04-10")
    document = roster_to_json(sign_roster(held, ANCHOR_A))
    assert roster_from_json(document).roster == held
    assert set(document["roster"]["entries"][-1]) == {
        "party", "url", "public_key", "key_id", "valid_from", "valid_until", "revoked_on"}


def test_a_lifetime_of_less_than_a_day_is_refused() -> None:
    with pytest.raises(FederationError, match="at least one day"):
        admit(unlimited(), descriptor(KAZ_2, "KAZ", "2026-03-10"), D("2026-03-01"),
              lifetime_days=0)


@pytest.mark.parametrize(
    ("roster", "party", "day", "warn_days", "expected"),
    [
        pytest.param("expiring", "KAZ", "2026-03-10", 30, None, id="more-than-30-days-ahead"),
        pytest.param("expiring", "KAZ", "2026-03-11", 30, "2026-04-10", id="30-days-ahead"),
        pytest.param("expiring", "KAZ", "2026-04-09", 30, "2026-04-10", id="the-day-before"),
        pytest.param("expiring", "KAZ", "2026-04-09", 0, None, id="no-warning-asked"),
        pytest.param("rotated", "KAZ", "2026-03-09", 30, None,
                     id="a-successor-is-on-the-roster"),
        pytest.param("revoked", "KAZ", "2026-01-20", 365, None, id="revoked-no-warning"),
        pytest.param("unlimited", "RUS", "2026-04-09", 365, None, id="no-expiry"),
    ],
)
def test_when_the_status_warns_that_a_key_expires(roster: str, party: str, day: str,
                                                  warn_days: int, expected: str | None) -> None:
    held = ROSTERS[roster]()
    entry = next(e for e in held.entries if e.party == party and e.valid_from <= D(day))
    found = expiring(entry, held, D(day), warn_days)
    assert found == (None if expected is None else D(expected))


def test_rotating_an_expiring_key_closes_it_on_the_successors_first_day() -> None:
    held = rotated_before_expiry()
    spans = {e.key_id: (e.valid_from, e.valid_until) for e in held.entries if e.party == "KAZ"}
    assert spans == {KAZ_1.key_id: (D("2026-01-10"), D("2026-03-10")),
                     KAZ_2.key_id: (D("2026-03-10"), D("2026-06-08"))}
    assert speaker(held, RUS_1.key_id, D("2030-01-01")) is not None  # admitted without lifetime

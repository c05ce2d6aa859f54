"""Which key speaks for which Party on a day (issue 14, item 1; Art. 2, 3): the roster signed by
the depositary's node, with admission, rotation and revocation; a replayed older roster never
wins and a forged or altered one is refused."""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation.roster import (
    NodeDescriptor,
    Roster,
    RosterEntry,
    SignedDescriptor,
    admit,
    descriptor_from_json,
    descriptor_statement,
    descriptor_to_json,
    empty_roster,
    key_resolver,
    newer,
    node_of,
    revoke,
    roster_from_json,
    roster_to_json,
    sign_descriptor,
    sign_roster,
    speaker,
    verify_descriptor,
    verify_roster,
)
from kelisim.domain.federation.signing import NodeKey


def key(n: int) -> NodeKey:
    return NodeKey.from_private_bytes(bytes([n]) * 32)


DEPOSITARY, KAZ_1, KAZ_2, RUS_1, RUS_2, MALLORY = (key(n) for n in range(1, 7))
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
D = date.fromisoformat


def descriptor(k: NodeKey, party: str | None, valid_from: str) -> NodeDescriptor:
    return NodeDescriptor(party, f"https://{(party or 'dep').lower()}.example", k.public_key,
                          D(valid_from))


def history() -> list[Roster]:
    """KAZ rotates its key on 10 March; RUS's first key is revoked on 1 February and replaced
    from 5 February."""
    rosters = [empty_roster(DEPOSITARY.public_key, "https://dep.example", D("2026-01-01"), T0)]
    steps = [
        lambda r: admit(r, descriptor(KAZ_1, "KAZ", "2026-01-15"), D("2026-01-10")),
        lambda r: admit(r, descriptor(RUS_1, "RUS", "2026-01-10"), D("2026-01-10")),
        lambda r: revoke(r, RUS_1.key_id, D("2026-02-01")),
        lambda r: admit(r, descriptor(RUS_2, "RUS", "2026-02-05"), D("2026-02-01")),
        lambda r: admit(r, descriptor(KAZ_2, "KAZ", "2026-03-10"), D("2026-03-01")),
    ]
    for step in steps:
        rosters.append(step(rosters[-1]))
    return rosters


ROSTERS = history()
LATEST = ROSTERS[-1]


@pytest.mark.parametrize(
    ("who", "day", "party"),
    [
        pytest.param(DEPOSITARY, "2026-01-01", None, id="depositary-from-its-first-day"),
        pytest.param(DEPOSITARY, "2025-12-31", "nobody", id="depositary-not-before"),
        pytest.param(KAZ_1, "2026-01-14", "nobody", id="kaz1-not-before-valid-from"),
        pytest.param(KAZ_1, "2026-01-15", "KAZ", id="kaz1-from-valid-from"),
        pytest.param(KAZ_1, "2026-03-09", "KAZ", id="kaz1-day-before-rotation"),
        pytest.param(KAZ_1, "2026-03-10", "nobody", id="kaz1-stops-on-successors-first-day"),
        pytest.param(KAZ_2, "2026-03-09", "nobody", id="kaz2-not-before-its-first-day"),
        pytest.param(KAZ_2, "2026-03-10", "KAZ", id="kaz2-from-its-first-day"),
        pytest.param(KAZ_2, "2030-01-01", "KAZ", id="kaz2-open-ended"),
        pytest.param(RUS_1, "2026-01-31", "RUS", id="rus1-day-before-revocation"),
        pytest.param(RUS_1, "2026-02-01", "nobody", id="rus1-not-on-revocation-day"),
        pytest.param(RUS_1, "2026-06-01", "nobody", id="rus1-not-after-revocation"),
        pytest.param(RUS_2, "2026-02-04", "nobody", id="rus2-gap-after-revocation"),
        pytest.param(RUS_2, "2026-02-05", "RUS", id="rus2-from-its-first-day"),
        pytest.param(MALLORY, "2026-02-05", "nobody", id="unknown-key"),
    ],
)
def test_which_party_a_key_speaks_for_on_a_day(who: NodeKey, day: str, party: str | None) -> None:
    entry = speaker(LATEST, who.key_id, D(day))
    if party == "nobody":
        assert entry is None
    else:
        assert entry is not None and entry.party == party and entry.public_key == who.public_key


@pytest.mark.parametrize(
    ("party", "day", "expected"),
    [
        pytest.param(None, "2026-02-01", DEPOSITARY, id="depositary"),
        pytest.param("KAZ", "2026-01-14", None, id="kaz-before-its-node"),
        pytest.param("KAZ", "2026-01-15", KAZ_1, id="kaz-first-key"),
        pytest.param("KAZ", "2026-03-09", KAZ_1, id="kaz-last-day-of-first-key"),
        pytest.param("KAZ", "2026-03-10", KAZ_2, id="kaz-rotated"),
        pytest.param("RUS", "2026-01-31", RUS_1, id="rus-before-revocation"),
        pytest.param("RUS", "2026-02-02", None, id="rus-revoked-no-successor-yet"),
        pytest.param("RUS", "2026-02-05", RUS_2, id="rus-successor"),
        pytest.param("BLR", "2026-02-05", None, id="party-without-node"),
    ],
)
def test_the_node_of_a_party_on_a_day(party: str | None, day: str,
                                      expected: NodeKey | None) -> None:
    entry = node_of(LATEST, party, D(day))
    assert (entry.public_key if entry else None) == (expected.public_key if expected else None)


def test_an_earlier_roster_does_not_know_a_later_key() -> None:
    assert speaker(ROSTERS[1], RUS_1.key_id, D("2026-01-20")) is None
    assert speaker(ROSTERS[2], RUS_1.key_id, D("2026-01-20")) is not None
    assert speaker(ROSTERS[2], RUS_1.key_id, D("2026-02-20")) is not None  # not yet revoked


def test_each_change_is_a_new_roster_with_the_next_serial_and_leaves_the_old_one() -> None:
    assert [r.serial for r in ROSTERS] == [1, 2, 3, 4, 5, 6]
    assert ROSTERS[0].entries == (RosterEntry(None, "https://dep.example", DEPOSITARY.public_key,
                                              D("2026-01-01")),)
    assert len(ROSTERS[1].entries) == 2 and ROSTERS[1].entries[1].valid_until is None
    rotated = next(e for e in LATEST.entries if e.public_key == KAZ_1.public_key)
    assert rotated.valid_until == D("2026-03-10") and rotated.revoked_on is None
    revoked = next(e for e in LATEST.entries if e.public_key == RUS_1.public_key)
    assert revoked.revoked_on == D("2026-02-01") and revoked.valid_until is None


def test_issued_at_never_goes_back() -> None:
    assert all(a.issued_at <= b.issued_at for a, b in itertools.pairwise(ROSTERS))
    pinned = admit(LATEST, descriptor(key(9), "BLR", "2026-04-01"), D("2026-04-01"),
                   issued_at=datetime(2026, 4, 1, 12, 30, tzinfo=UTC))
    assert pinned.issued_at == datetime(2026, 4, 1, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "candidate", "wins"),
    [
        pytest.param(None, 0, True, id="first-roster"),
        pytest.param(2, 3, True, id="next-serial"),
        pytest.param(2, 5, True, id="several-ahead"),
        pytest.param(3, 3, False, id="same-roster-again"),
        pytest.param(5, 2, False, id="replayed-older-roster"),
    ],
)
def test_only_a_strictly_greater_serial_replaces_the_roster(current: int | None, candidate: int,
                                                           wins: bool) -> None:
    held = None if current is None else ROSTERS[current]
    assert newer(held, ROSTERS[candidate]) is wins


def test_a_replayed_old_roster_loses_though_its_signature_is_good() -> None:
    old = sign_roster(ROSTERS[2], DEPOSITARY)
    assert verify_roster(old, DEPOSITARY.public_key) == ROSTERS[2]
    assert not newer(LATEST, verify_roster(old, DEPOSITARY.public_key))
    # in it RUS_1 still speaks on 20 February: adopting it would undo the revocation
    assert speaker(ROSTERS[2], RUS_1.key_id, D("2026-02-20")) is not None


def test_a_signed_roster_verifies_and_round_trips_through_json() -> None:
    signed = sign_roster(LATEST, DEPOSITARY)
    data = json.loads(json.dumps(roster_to_json(signed)))
    assert data["roster"]["type"] == "kelisim/roster/1"
    assert data["roster"]["depositary_key_id"] == DEPOSITARY.key_id
    again = roster_from_json(data)
    assert again == signed
    assert verify_roster(again, DEPOSITARY.public_key) == LATEST


def test_a_roster_is_signed_by_the_depositary_key_it_names() -> None:
    with pytest.raises(FederationError, match="depositary's node key"):
        sign_roster(LATEST, MALLORY)


def test_a_roster_naming_another_depositary_key_is_refused() -> None:
    forged_anchor = Roster(LATEST.serial + 1, LATEST.issued_at, MALLORY.public_key,
                           (RosterEntry(None, "https://evil.example", MALLORY.public_key,
                                        D("2026-01-01")),))
    signed = sign_roster(forged_anchor, MALLORY)
    with pytest.raises(UntrustedSignature, match="not the one this node trusts"):
        verify_roster(signed, DEPOSITARY.public_key)


def test_a_roster_signed_by_another_key_is_refused() -> None:
    signed = sign_roster(LATEST, DEPOSITARY)
    forged = replace(signed, signature=MALLORY.sign(roster_to_json(signed)["roster"]))
    with pytest.raises(UntrustedSignature, match="forged or altered"):
        verify_roster(forged, DEPOSITARY.public_key)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda r: r.__setitem__("serial", 99), id="serial"),
        pytest.param(lambda r: r["entries"][1].__setitem__("url", "https://evil.example"),
                     id="url"),
        pytest.param(lambda r: r["entries"][2].__setitem__("revoked_on", None), id="unrevoke"),
        pytest.param(lambda r: r["entries"][1].__setitem__("valid_until", "2026-12-31"),
                     id="extend-a-rotated-key"),
        pytest.param(lambda r: r["entries"].pop(), id="drop-an-entry"),
        pytest.param(lambda r: r.__setitem__("issued_at", "2027-01-01T00:00:00+00:00"),
                     id="issued-at"),
    ],
)
def test_a_tampered_roster_is_refused(tamper: Any) -> None:
    data = roster_to_json(sign_roster(LATEST, DEPOSITARY))
    tampered = copy.deepcopy(data)
    tamper(tampered["roster"])
    with pytest.raises(FederationError):
        verify_roster(roster_from_json(tampered), DEPOSITARY.public_key)


def entry_json(**changes: Any) -> dict[str, Any]:
    entry = roster_to_json(sign_roster(LATEST, DEPOSITARY))["roster"]["entries"][1]
    return {**entry, **changes}


def roster_json(**changes: Any) -> dict[str, Any]:
    data = roster_to_json(sign_roster(LATEST, DEPOSITARY))
    return {**data, "roster": {**data["roster"], **changes}}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param([], "JSON object", id="not-an-object"),
        pytest.param({"signature": "x"}, "a roster must be a JSON object", id="no-roster"),
        pytest.param({**roster_json(), "signature": 5}, "signature", id="signature-not-string"),
        pytest.param({"roster": roster_json()["roster"]}, "signature", id="no-signature"),
        pytest.param(roster_json(type="kelisim/checkpoint/1"), "type", id="another-type"),
        pytest.param(roster_json(serial="6"), "serial", id="serial-a-string"),
        pytest.param(roster_json(serial=True), "serial", id="serial-a-boolean"),
        pytest.param(roster_json(serial=0), "serial", id="serial-zero"),
        pytest.param(roster_json(entries={}), "entries", id="entries-not-a-list"),
        pytest.param(roster_json(entries=[1]), "entry 1", id="entry-not-an-object"),
        pytest.param(roster_json(issued_at="2026-01-01T00:00:00"), "issued_at",
                     id="naive-instant"),
        pytest.param(roster_json(issued_at="2026-01-01T03:00:00+03:00"), "issued_at",
                     id="instant-not-in-utc"),
        pytest.param(roster_json(issued_at=None), "issued_at", id="no-instant"),
        pytest.param(roster_json(depositary_key="AAAA"), "depositary key", id="bad-anchor"),
        pytest.param(roster_json(extra=1), "unknown fields", id="unknown-field"),
        pytest.param(roster_json(depositary_key_id="0" * 32), "unknown fields",
                     id="anchor-id-not-its-keys"),
        pytest.param(roster_json(entries=[]), "depositary's own key", id="no-depositary-entry"),
        pytest.param(roster_json(entries=[entry_json(), entry_json()]), "twice",
                     id="a-key-twice"),
        pytest.param(roster_json(entries=[{**entry_json(), "valid_from": "2026-1-15"}]),
                     "valid_from", id="date-not-iso"),
        pytest.param(roster_json(entries=[{**entry_json(), "valid_from": "20260115"}]),
                     "valid_from", id="date-basic-format"),
        pytest.param(roster_json(entries=[{**entry_json(), "party": "kz"}]), "alpha-3",
                     id="party-not-a-code"),
        pytest.param(roster_json(entries=[{**entry_json(), "url": "ftp://x"}]), "URL",
                     id="url-not-http"),
        pytest.param(roster_json(entries=[{**entry_json(), "public_key": "A" * 44}]),
                     "public key", id="key-not-32-bytes"),
        pytest.param(roster_json(entries=[{k: v for k, v in entry_json().items()
                                           if k != "url"}]), "url", id="entry-without-url"),
        pytest.param(roster_json(entries=[{**entry_json(), "valid_until": "2026-01-15"}]),
                     "before it starts", id="ends-on-its-first-day"),
    ],
)
def test_a_malformed_roster_is_refused_with_a_federation_error(data: Any, says: str) -> None:
    with pytest.raises(FederationError, match=says):
        roster_from_json(data)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_field_replaced_by_any_json_is_a_federation_error_or_a_roster(
        data: st.DataObject) -> None:
    signed = roster_to_json(sign_roster(LATEST, DEPOSITARY))
    roster = signed["roster"]
    where = data.draw(st.sampled_from([*roster, *(f"entries.{n}.{k}" for n in range(3)
                                                  for k in roster["entries"][0]), "signature"]))
    value = data.draw(JSON)
    if where == "signature":
        signed["signature"] = value
    elif where.startswith("entries."):
        _, n, name = where.split(".")
        roster["entries"][int(n)][name] = value
    else:
        roster[where] = value
    try:
        verify_roster(roster_from_json(signed), DEPOSITARY.public_key)
    except FederationError:
        return
    assert roster_from_json(signed).roster == LATEST  # only an equal value may pass


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param(lambda r: admit(r, descriptor(key(9), "BLR", "2026-03-31"),
                                     D("2026-04-01")), "earlier day", id="backdated-key"),
        pytest.param(lambda r: admit(r, descriptor(KAZ_1, "BLR", "2026-05-01"),
                                     D("2026-04-01")), "already on the roster",
                     id="a-key-admitted-twice"),
        pytest.param(lambda r: admit(r, descriptor(RUS_1, "RUS", "2026-05-01"),
                                     D("2026-04-01")), "already on the roster",
                     id="a-revoked-key-readmitted"),
        pytest.param(lambda r: admit(r, descriptor(key(9), "KAZ", "2026-03-10"),
                                     D("2026-03-05")), "must start later",
                     id="successor-on-the-current-keys-first-day"),
        pytest.param(lambda r: admit(r, descriptor(key(9), None, "2026-05-01"),
                                     D("2026-04-01")), "trust anchor",
                     id="depositary-key-by-admission"),
        pytest.param(lambda r: admit(r, descriptor(key(9), "Kazakhstan", "2026-05-01"),
                                     D("2026-04-01")), "alpha-3", id="not-a-party-code"),
        pytest.param(lambda r: revoke(r, MALLORY.key_id, D("2026-04-01")), "not on roster",
                     id="revoke-an-unknown-key"),
        pytest.param(lambda r: revoke(r, DEPOSITARY.key_id, D("2026-04-01")),
                     "cannot be revoked", id="revoke-the-depositary"),
        pytest.param(lambda r: revoke(r, RUS_1.key_id, D("2026-04-01")), "already revoked",
                     id="revoke-twice"),
    ],
)
def test_admission_and_revocation_refuse(change: Any, says: str) -> None:
    with pytest.raises(FederationError, match=says):
        change(LATEST)


def test_a_second_rotation_closes_the_key_that_rotated_in() -> None:
    third = admit(LATEST, descriptor(key(9), "KAZ", "2026-04-01"), D("2026-03-20"))
    assert node_of(third, "KAZ", D("2026-03-31")).public_key == KAZ_2.public_key  # type: ignore[union-attr]
    assert node_of(third, "KAZ", D("2026-04-01")).public_key == key(9).public_key  # type: ignore[union-attr]


def test_a_revoked_pending_successor_leaves_the_party_without_a_key() -> None:
    pending = admit(ROSTERS[1], descriptor(KAZ_2, "KAZ", "2026-03-10"), D("2026-03-01"))
    cancelled = revoke(pending, KAZ_2.key_id, D("2026-03-02"))
    assert node_of(cancelled, "KAZ", D("2026-03-05")).public_key == KAZ_1.public_key  # type: ignore[union-attr]
    assert node_of(cancelled, "KAZ", D("2026-03-10")) is None


def test_a_roster_letting_two_keys_speak_for_one_party_on_a_day_is_refused() -> None:
    overlapping = replace(LATEST, entries=(*LATEST.entries,
                                           RosterEntry("KAZ", "https://kaz.example",
                                                       key(9).public_key, D("2026-03-01"),
                                                       D("2026-03-20"))))
    with pytest.raises(FederationError, match="both speak for KAZ"):
        sign_roster(overlapping, DEPOSITARY)
    signed = sign_roster(LATEST, DEPOSITARY)
    with pytest.raises(FederationError, match="both speak"):
        verify_roster(replace(signed, roster=overlapping), DEPOSITARY.public_key)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["admit", "revoke"]),
                          st.sampled_from(["KAZ", "RUS", "BLR"]),
                          st.integers(0, 40), st.integers(0, 40), st.integers(0, 12)),
                max_size=12))
def test_whatever_is_admitted_or_revoked_one_key_at_most_speaks_for_a_party_each_day(
        ops: list[tuple[str, str, int, int, int]]) -> None:
    roster, on, fresh = ROSTERS[0], D("2026-01-01"), iter(range(20, 200))
    for op, party, step, lead, pick in ops:
        on += timedelta(days=step)
        try:
            if op == "admit":
                new = key(next(fresh))
                roster = admit(roster, descriptor(new, party, str(on + timedelta(days=lead))),
                               on)
            else:
                roster = revoke(roster, roster.entries[pick % len(roster.entries)].key_id, on)
        except FederationError:
            continue
    for day in (D("2026-01-01") + timedelta(days=n) for n in range(0, 600, 3)):
        for party in ("KAZ", "RUS", "BLR", None):
            speaking = [e for e in roster.entries if e.party == party and e.speaks_on(day)]
            assert len(speaking) <= 1
            assert node_of(roster, party, day) == (speaking[0] if speaking else None)
    again = roster_from_json(json.loads(json.dumps(roster_to_json(sign_roster(roster,
                                                                              DEPOSITARY)))))
    assert verify_roster(again, DEPOSITARY.public_key) == roster


def test_a_node_descriptor_is_self_signed_and_round_trips() -> None:
    signed = sign_descriptor(descriptor(KAZ_1, "KAZ", "2026-01-15"), KAZ_1)
    data = json.loads(json.dumps(descriptor_to_json(signed)))
    assert data["descriptor"]["type"] == "kelisim/descriptor/1"
    assert data["descriptor"]["key_id"] == KAZ_1.key_id
    assert descriptor_from_json(data) == signed
    assert verify_descriptor(descriptor_from_json(data)) == signed.descriptor


def test_a_descriptor_is_signed_by_the_key_it_describes() -> None:
    with pytest.raises(FederationError, match="key it describes"):
        sign_descriptor(descriptor(KAZ_1, "KAZ", "2026-01-15"), MALLORY)
    claimed = descriptor(KAZ_1, "KAZ", "2026-01-15")
    stolen = SignedDescriptor(claimed, MALLORY.sign(descriptor_statement(claimed)))
    with pytest.raises(UntrustedSignature, match="has not shown it holds that key"):
        verify_descriptor(stolen)


@pytest.mark.parametrize("field", ["party", "url", "valid_from"])
def test_a_tampered_descriptor_is_refused(field: str) -> None:
    data = descriptor_to_json(sign_descriptor(descriptor(KAZ_1, "KAZ", "2026-01-15"), KAZ_1))
    data["descriptor"][field] = {"party": "RUS", "url": "https://evil.example",
                                 "valid_from": "2025-01-01"}[field]
    with pytest.raises(UntrustedSignature):
        verify_descriptor(descriptor_from_json(data))


@pytest.mark.parametrize(
    "change",
    [{"type": "kelisim/roster/1"}, {"key_id": "0" * 32}, {"public_key": 5}, {"extra": True},
     {"valid_from": "tomorrow"}],
    ids=["another-type", "key-id-not-its-keys", "key-not-a-string", "unknown-field",
         "not-a-date"],
)
def test_a_malformed_descriptor_is_refused(change: dict[str, Any]) -> None:
    data = descriptor_to_json(sign_descriptor(descriptor(KAZ_1, "KAZ", "2026-01-15"), KAZ_1))
    data["descriptor"].update(change)
    with pytest.raises(FederationError):
        descriptor_from_json(data)


def test_the_empty_roster_holds_only_the_depositary() -> None:
    first = ROSTERS[0]
    assert first.serial == 1 and first.depositary_key == DEPOSITARY.public_key
    assert node_of(first, None, D("2026-01-01")) == first.entries[0]
    assert first.entries[0].key_id == DEPOSITARY.key_id
    assert verify_roster(sign_roster(first, DEPOSITARY), DEPOSITARY.public_key) == first


def test_the_key_resolver_gives_only_keys_that_speak_that_day() -> None:
    on_rotation_day = key_resolver(LATEST, D("2026-03-10"))
    assert on_rotation_day(KAZ_2.key_id) == KAZ_2.public_key
    assert on_rotation_day(KAZ_1.key_id) is None
    assert on_rotation_day(RUS_1.key_id) is None
    assert key_resolver(LATEST, D("2026-03-09"))(KAZ_1.key_id) == KAZ_1.public_key
    assert on_rotation_day("not a key id") is None

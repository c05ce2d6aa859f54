"""The replication core of the federation (issue 14 items 3, 4, 6) as tables, then as a property.

1. `peer_may_receive` against the Art. 6 policy: a Party's node may be sent a version iff some
   authorized body of that Party, bound, could read it (`may_read`), for every marking of a
   generated set.
2. The latest-version rule, `next_snapshot` (no churn, never revealing an object) and `apply`
   (duplicates, replays and late arrivals change nothing), written out case by case.
3. For any sequence of changes at the origin and any delivery order with duplicates, every
   Party's copies converge to exactly what it is entitled to, and a Party never hears of an
   object it was never entitled to any version of.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kelisim.domain.accounts import OrganizationKind, Role
from kelisim.domain.exchange_policy import Marking, Reader, may_read, qualified_body
from kelisim.domain.federation.replication import (
    Copy,
    OriginObject,
    OriginVersion,
    Sent,
    Snapshot,
    apply,
    entitled_versions,
    may_exchange_with,
    next_snapshot,
    peer_may_receive,
    snapshot_of_statement,
    snapshot_statement,
)
from kelisim.domain.treaty import PartyState

PARTIES = ("KAZ", "RUS", "BLR", "ARM")
TLPS = (None, "clear", "green", "amber", "amber+strict", "red")


# --- 1. peer_may_receive is may_read for some body of the Party ---------------------------------

ALL_MARKINGS = [
    Marking(tlp, frozenset(rp), frozenset(rb), owner, frozenset(allowed), producer,
            qualified_body(producer, "CERT") if producer else None)
    for tlp, rp, rb, owner, allowed, producer in itertools.product(
        TLPS, ((), ("RUS",), ("BLR", "ARM")),
        ((), ("RUS/RU-CERT",), ("BLR/BY-CERT", "ARM/AM-CERT"), ("KAZ/RU-CERT",)),
        (None, "KAZ", "RUS", "BLR"), ((), ("RUS",), ("BLR",), ("ARM", "RUS")),
        ("KAZ", "RUS", None))
]


def bodies_to_try(party: str, marking: Marking) -> set[str]:
    """Every body of `party` whose name a marking uses (under any Party), and one it never names."""
    names = {body.split("/", 1)[1] for body in marking.recipient_bodies} | {"UNNAMED-CERT"}
    return {qualified_body(party, name) for name in names}


def some_body_reads(party: str, marking: Marking, state: PartyState) -> bool:
    return any(may_read(Reader(Role.ANALYST, OrganizationKind.AUTHORIZED_BODY, party, body,
                               state), marking)
               for body in bodies_to_try(party, marking))


def test_a_party_may_receive_what_some_body_of_it_may_read() -> None:
    received = 0
    for marking, party in itertools.product(ALL_MARKINGS, PARTIES):
        verdict = peer_may_receive(party, marking)
        assert verdict is some_body_reads(party, marking, PartyState.IN_FORCE), (party, marking)
        assert verdict is some_body_reads(party, marking, PartyState.WITHDRAWING), (party, marking)
        received += verdict
    assert len(ALL_MARKINGS) * len(PARTIES) > 10_000
    assert 1000 < received < len(ALL_MARKINGS) * len(PARTIES) - 1000  # both answers are common


def kaz(tlp: str | None = "green", *, parties: tuple[str, ...] = (), bodies: tuple[str, ...] = (),
        owner: str | None = None, allowed: tuple[str, ...] = ()) -> Marking:
    return Marking(tlp, frozenset(parties), frozenset(bodies), owner, frozenset(allowed), "KAZ",
                   "KAZ/KZ-CERT")


RECEIVE_TABLE = [
    ("green goes to every party", kaz("green"), {"KAZ", "RUS", "BLR", "ARM"}),
    ("unmarked counts as green", kaz(None), {"KAZ", "RUS", "BLR", "ARM"}),
    ("red with no recipient stays with the producer", kaz("red"), {"KAZ"}),
    ("amber for RUS", kaz("amber", parties=("RUS",)), {"KAZ", "RUS"}),
    ("amber for a body of RUS reaches RUS's node, not BLR's",
     kaz("amber", bodies=("RUS/RU-CERT",)), {"KAZ", "RUS"}),
    ("a body named like RU-CERT under KAZ is no body of RUS",
     kaz("amber+strict", bodies=("KAZ/RU-CERT",)), {"KAZ"}),
    ("restricted for BLR reaches BLR and the producer only",
     kaz("green", owner="KAZ", allowed=("BLR",)), {"KAZ", "BLR"}),
    ("restricted owned by BLR reaches BLR and the producer only",
     kaz("clear", owner="BLR"), {"KAZ", "BLR"}),
    ("restricted narrows amber", kaz("amber", parties=("RUS", "BLR"), owner="KAZ",
                                     allowed=("BLR",)), {"KAZ", "BLR"}),
    ("restricted does not widen red", kaz("red", owner="KAZ", allowed=("RUS",)), {"KAZ"}),
]


@pytest.mark.parametrize(("case", "marking", "parties"), RECEIVE_TABLE,
                         ids=[row[0] for row in RECEIVE_TABLE])
def test_receive_table(case: str, marking: Marking, parties: set[str]) -> None:
    assert {p for p in PARTIES if peer_may_receive(p, marking)} == parties


@pytest.mark.parametrize("state", [*PartyState, None])
def test_a_node_exchanges_only_with_bound_parties(state: PartyState | None) -> None:
    bound = state in (PartyState.IN_FORCE, PartyState.WITHDRAWING)
    assert may_exchange_with(state) is bound


# --- 2. the latest-version rule ------------------------------------------------------------------

def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def version(name: str, marking: Marking) -> OriginVersion:
    return OriginVersion(f"2026-01-0{name[-1]}T00:00:00.000000Z", marking, sha(name))


def origin(*versions: tuple[str, Marking]) -> OriginObject:
    return OriginObject("collection-1", "indicator--1", tuple(version(n, m) for n, m in versions))


GREEN, RED = kaz("green"), kaz("red")
AMBER_RUS, AMBER_RUS_BLR = kaz("amber", parties=("RUS",)), kaz("amber", parties=("RUS", "BLR"))

LATEST_TABLE: list[tuple[str, OriginObject, dict[str, tuple[str, ...]]]] = [
    ("no versions: nothing to anyone", origin(), {p: () for p in PARTIES}),
    ("red: the producer only", origin(("v1", RED)),
     {"KAZ": ("v1",), "RUS": (), "BLR": (), "ARM": ()}),
    ("declassification red -> green gives the object (the red version stays back)",
     origin(("v1", RED), ("v2", GREEN)),
     {"KAZ": ("v1", "v2"), "RUS": ("v2",), "BLR": ("v2",), "ARM": ("v2",)}),
    ("reclassification green -> red purges every other party",
     origin(("v1", GREEN), ("v2", RED)),
     {"KAZ": ("v1", "v2"), "RUS": (), "BLR": (), "ARM": ()}),
    ("a narrower recipient list purges the party dropped",
     origin(("v1", AMBER_RUS_BLR), ("v2", AMBER_RUS)),
     {"KAZ": ("v1", "v2"), "RUS": ("v1", "v2"), "BLR": (), "ARM": ()}),
    ("a wider recipient list gives the party added its versions",
     origin(("v1", AMBER_RUS), ("v2", AMBER_RUS_BLR)),
     {"KAZ": ("v1", "v2"), "RUS": ("v1", "v2"), "BLR": ("v2",), "ARM": ()}),
    ("amber for a RUS body reaches RUS's node, not BLR's",
     origin(("v1", kaz("amber", bodies=("RUS/RU-CERT",)))),
     {"KAZ": ("v1",), "RUS": ("v1",), "BLR": (), "ARM": ()}),
    ("restricted for BLR reaches BLR only, plus the producer",
     origin(("v1", GREEN), ("v2", kaz("green", owner="KAZ", allowed=("BLR",)))),
     {"KAZ": ("v1", "v2"), "RUS": (), "BLR": ("v1", "v2"), "ARM": ()}),
    ("an older version a party may not receive is left out, the rest goes",
     origin(("v1", AMBER_RUS), ("v2", GREEN), ("v3", GREEN)),
     {"KAZ": ("v1", "v2", "v3"), "RUS": ("v1", "v2", "v3"), "BLR": ("v2", "v3"),
      "ARM": ("v2", "v3")}),
]


@pytest.mark.parametrize(("case", "obj", "expected"), LATEST_TABLE,
                         ids=[row[0] for row in LATEST_TABLE])
def test_latest_version_table(case: str, obj: OriginObject,
                              expected: dict[str, tuple[str, ...]]) -> None:
    names = {v.version: f"v{v.version[9]}" for v in obj.versions}
    for party in PARTIES:
        assert tuple(names[v.version] for v in entitled_versions(party, obj)) == expected[party]


def refs(obj: OriginObject, *names: str) -> tuple[tuple[str, str], ...]:
    by_name = {f"v{v.version[9]}": v.ref for v in obj.versions}
    return tuple(by_name[n] for n in names)


TWO_GREEN = origin(("v1", GREEN), ("v2", GREEN))
GREEN_THEN_RED = origin(("v1", GREEN), ("v2", RED))
EMPTY = origin()
V1_V2 = refs(TWO_GREEN, "v1", "v2")


SNAPSHOT_TABLE: list[tuple[str, OriginObject, Sent | None, Snapshot | None]] = [
    ("first entitled: generation 1", TWO_GREEN, None,
     Snapshot("collection-1", "indicator--1", 1, V1_V2)),
    ("never entitled: nothing (the object is not revealed)", origin(("v1", RED)), None, None),
    ("deleted before ever sent: no purge", EMPTY, None, None),
    ("same set as last sent: no churn", TWO_GREEN, Sent(4, V1_V2), None),
    ("same set in another order: no churn", TWO_GREEN, Sent(4, tuple(reversed(V1_V2))), None),
    ("a new version: the next generation, the whole set", TWO_GREEN,
     Sent(1, V1_V2[:1]), Snapshot("collection-1", "indicator--1", 2, V1_V2)),
    ("a deleted version: the next generation without it", origin(("v2", GREEN)),
     Sent(2, V1_V2), Snapshot("collection-1", "indicator--1", 3, V1_V2[1:])),
    ("reclassified after being sent: a purge", GREEN_THEN_RED, Sent(1, V1_V2[:1]),
     Snapshot("collection-1", "indicator--1", 2, ())),
    ("deleted after being sent: a purge", EMPTY, Sent(3, V1_V2),
     Snapshot("collection-1", "indicator--1", 4, ())),
    ("still purged: nothing", GREEN_THEN_RED, Sent(2, ()), None),
    ("entitled again after a purge: the next generation", TWO_GREEN, Sent(2, ()),
     Snapshot("collection-1", "indicator--1", 3, V1_V2)),
    ("same version, other bytes: sent again", TWO_GREEN,
     Sent(1, (V1_V2[0], (V1_V2[1][0], sha("other")))),
     Snapshot("collection-1", "indicator--1", 2, V1_V2)),
]


@pytest.mark.parametrize(("case", "obj", "last", "expected"), SNAPSHOT_TABLE,
                         ids=[row[0] for row in SNAPSHOT_TABLE])
def test_next_snapshot_table(case: str, obj: OriginObject, last: Sent | None,
                             expected: Snapshot | None) -> None:
    assert next_snapshot("RUS", obj, last) == expected


def snap(generation: int, *versions: tuple[str, str]) -> Snapshot:
    return Snapshot("collection-1", "indicator--1", generation, versions)


A, B = ("v1", sha("a")), ("v2", sha("b"))

APPLY_TABLE: list[tuple[str, Copy | None, Snapshot, Copy | None]] = [
    ("a first snapshot makes the copy", None, snap(1, A), Copy(1, (A,))),
    ("a first snapshot that arrives late still makes the copy", None, snap(3, A, B),
     Copy(3, (A, B))),
    ("a newer snapshot replaces the versions", Copy(1, (A,)), snap(2, A, B), Copy(2, (A, B))),
    ("a duplicate changes nothing", Copy(2, (A, B)), snap(2, A, B), None),
    ("an old snapshot replayed changes nothing", Copy(3, (B,)), snap(2, A, B), None),
    ("a purge empties the copy", Copy(2, (A, B)), snap(3), Copy(3, ())),
    ("an older snapshot cannot revive a purged copy", Copy(3, ()), snap(2, A), None),
    ("a newer snapshot after a purge fills it again", Copy(3, ()), snap(4, B), Copy(4, (B,))),
    ("a replayed purge changes nothing", Copy(4, (B,)), snap(3), None),
]


@pytest.mark.parametrize(("case", "held", "snapshot", "expected"), APPLY_TABLE,
                         ids=[row[0] for row in APPLY_TABLE])
def test_apply_table(case: str, held: Copy | None, snapshot: Snapshot,
                     expected: Copy | None) -> None:
    assert apply(held, snapshot) == expected


def test_a_purge_is_a_snapshot_without_versions() -> None:
    assert snap(2).is_purge
    assert not snap(1, A).is_purge


@pytest.mark.parametrize("bad", [
    pytest.param(lambda: snap(0, A), id="generation-0"),
    pytest.param(lambda: Snapshot("c", "o", True, ()), id="generation-bool"),
    pytest.param(lambda: snap(1, A, ("v1", sha("other"))), id="a-version-twice"),
    pytest.param(lambda: Copy(-1, ()), id="copy-generation-negative"),
    pytest.param(lambda: Sent(1, (("v1",),)), id="ref-not-a-pair"),
    pytest.param(lambda: origin(("v1", GREEN), ("v1", RED)), id="origin-version-twice"),
])
def test_malformed_values_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        bad()  # type: ignore[operator]


# --- statements ----------------------------------------------------------------------------------

def test_the_snapshot_statement_names_peer_object_and_generation_and_reads_back() -> None:
    s = snap(3, A, B)
    statement = snapshot_statement("k" * 32, "RUS", s)
    assert statement == {"type": "kelisim/snapshot/1", "origin": "k" * 32, "peer": "RUS",
                         "collection": "collection-1", "object": "indicator--1",
                         "generation": 3, "versions": [list(A), list(B)]}
    rfc8785.dumps(statement)  # JSON-compatible: canonical bytes exist
    assert snapshot_of_statement(statement) == s
    # what a replay to another Party, another generation or an altered set would change
    assert snapshot_statement("k" * 32, "BLR", s) != statement
    assert snapshot_statement("k" * 32, "RUS", snap(2, A, B)) != statement
    assert snapshot_statement("k" * 32, "RUS", snap(3, A)) != statement
    assert snapshot_of_statement(snapshot_statement("k" * 32, "RUS", snap(4))).is_purge


@pytest.mark.parametrize("change", [
    {"type": "kelisim/object/1"}, {"generation": 0}, {"generation": "3"},
    {"versions": [["v1"]]}, {"versions": "v1"}, {"peer": None},
])
def test_a_statement_that_is_no_snapshot_is_refused(change: dict[str, object]) -> None:
    statement = {**snapshot_statement("k" * 32, "RUS", snap(3, A)), **change}
    with pytest.raises(ValueError):
        snapshot_of_statement(statement)


# --- 3. convergence under any changes and any delivery order ------------------------------------

OBJECTS = ("indicator--0", "indicator--1", "indicator--2")


@st.composite
def origins_and_markings(draw: st.DrawFn) -> tuple[str, list[Marking]]:
    producer = draw(st.sampled_from(PARTIES))
    others = [p for p in PARTIES if p != producer]
    marking = st.builds(
        lambda tlp, parties, bodies, restricted: Marking(
            tlp, frozenset(parties), frozenset(bodies), restricted[0], frozenset(restricted[1]),
            producer, qualified_body(producer, "CERT")),
        st.sampled_from((None, "green", "amber", "amber+strict", "red")),
        st.sampled_from(((), (others[0],), (others[1], others[2]))),
        st.sampled_from(((), (qualified_body(others[1], "CERT"),),
                         (qualified_body(producer, "CERT"),))),
        st.sampled_from(((None, ()), (producer, (others[2],)), (others[0], ()),
                         (others[1], (others[0],)))))
    return producer, draw(st.lists(marking, min_size=1, max_size=6))


ADD = st.tuples(st.just("add"), st.sampled_from(OBJECTS), st.integers(0, 5), st.integers(0, 9))
DELETE = st.tuples(st.just("delete"), st.sampled_from(OBJECTS), st.integers(0, 5),
                   st.integers(0, 9))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(setup=origins_and_markings(), changes=st.lists(st.one_of(ADD, ADD, DELETE), max_size=30),
       data=st.data())
def test_every_party_converges_to_what_it_is_entitled_to(
        setup: tuple[str, list[Marking]], changes: list[tuple[str, str, int, int]],
        data: st.DataObject) -> None:
    _producer, markings = setup
    stored: dict[str, dict[str, OriginVersion]] = {o: {} for o in OBJECTS}
    last_sent: dict[tuple[str, str], Sent] = {}
    outbox: dict[str, list[Snapshot]] = defaultdict(list)
    ever_entitled: set[tuple[str, str]] = set()
    revision = 0

    def current(stix_id: str) -> OriginObject:
        versions = sorted(stored[stix_id].values(), key=lambda v: v.version)
        return OriginObject("collection-1", stix_id, tuple(versions))

    for kind, stix_id, pick, when in changes:
        versions = stored[stix_id]
        if kind == "add":
            revision += 1  # the same version posted again after a deletion has other bytes
            key = f"2026-01-01T00:00:0{when}.000000Z"
            if key in versions:
                continue
            versions[key] = OriginVersion(key, markings[pick % len(markings)],
                                          sha(f"{stix_id} {key} {revision}"))
        else:
            if not versions:
                continue
            del versions[sorted(versions)[pick % len(versions)]]
        obj = current(stix_id)
        for party in PARTIES:
            if entitled_versions(party, obj):
                ever_entitled.add((party, stix_id))
            snapshot = next_snapshot(party, obj, last_sent.get((party, stix_id)))
            if snapshot is not None:
                last_sent[party, stix_id] = snapshot.sent
                outbox[party].append(snapshot)

    for party in PARTIES:
        sent = outbox[party]
        heard_of = {s.stix_id for s in sent}
        # a Party hears of an object only if it was once entitled to some version of it
        assert {(party, o) for o in heard_of} <= ever_entitled
        for stix_id in heard_of:
            mine = [s for s in sent if s.stix_id == stix_id]
            # generations are dense, and no snapshot repeats the one before it (no churn)
            assert [s.generation for s in mine] == list(range(1, len(mine) + 1))
            assert all(set(a.versions) != set(b.versions) for a, b in itertools.pairwise(mine))
            assert mine[0].versions  # the first is never a purge

        duplicates = data.draw(st.lists(st.sampled_from(sent), max_size=10) if sent
                               else st.just([]))
        delivery = data.draw(st.permutations([*sent, *duplicates]))
        copies: dict[str, Copy] = {}
        for snapshot in delivery:
            changed = apply(copies.get(snapshot.stix_id), snapshot)
            if changed is not None:
                copies[snapshot.stix_id] = changed
        for stix_id in OBJECTS:
            held = copies.get(stix_id)
            expected = tuple(v.ref for v in entitled_versions(party, current(stix_id)))
            assert (held.versions if held else ()) == expected, (party, stix_id)

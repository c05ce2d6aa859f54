"""What an origin node sends a peer Party for one of its objects, and what a copy does with it.

The rule (docs: the federation design, issue 14 items 3, 4, 6):

* A peer is a *Party*: its node reads on behalf of every authorized body of that Party. The Party
  may receive a version when *some* authorized body of it could read the version under the Art. 6
  policy on a day the Party is bound (`peer_may_receive`, tested as a table against `may_read`).
* **Latest-version rule**: a Party is entitled to an object's versions only while it is entitled
  to the object's latest stored version, and then to every version it may receive; otherwise to
  none. A reclassification or a narrower recipient list of the latest version purges every copy
  at the Parties no longer named; a declassification (RED -> GREEN) gives them the object.
* A **snapshot** for (Party, object) is the whole set of versions the Party is entitled to now,
  with a `generation`: the number of snapshots of this object already sent to this Party, plus
  one. Generations are dense per (Party, object), so they count nothing the Party cannot see.
  An empty snapshot is a purge, sent only to a Party that was sent a non-empty one before (else it
  would reveal that the object exists); a snapshot equal to the last one sent is not sent (no
  churn).
* A copy takes a snapshot iff the snapshot's generation is greater than the one it holds, and then
  holds exactly the snapshot's versions: delivery order, duplicates and replays change nothing.
* Objects received from other nodes are never served to peers (no relay): the origin decides
  every transfer, once, from the markings.

Everything here is plain data; signing the statements and storing copies is done elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kelisim.domain.exchange_policy import OPEN_TLP, Marking, is_bound
from kelisim.domain.treaty import PartyState

SNAPSHOT_TYPE = "kelisim/snapshot/1"

VersionRef = tuple[str, str]
"""(version, sha256 of the version's raw bytes)."""


def peer_may_receive(party: str, marking: Marking) -> bool:
    """Whether the node of `party` may be sent a version so marked: some authorized body of the
    Party could read it under `exchange_policy.may_read` while the Party is bound (Art. 6, TLP
    2.0). Whether the Party is bound on the day is `may_exchange_with`'s question.

    * CLEAR, GREEN and unmarked versions go to every Party;
    * AMBER, AMBER+STRICT and RED only to a recipient Party, to the Party of a recipient body
      (`party/...`), or to the producer's Party;
    * a restricted-access marking (Art. 2) narrows to its owner, the Parties it allows and the
      producer's Party, intersected with the TLP rule, never widened by it.
    """
    producer = party == marking.producer_party
    if marking.tlp not in OPEN_TLP and not (
            producer or party in marking.recipient_parties
            or any(_body_of(party, body) for body in marking.recipient_bodies)):
        return False
    if marking.restricted_owner is not None:
        return producer or party == marking.restricted_owner or party in marking.restricted_allowed
    return True


def _body_of(party: str, body: str) -> bool:
    """A recipient body is qualified by its Party (`exchange_policy.qualified_body`)."""
    return body.startswith(f"{party}/")


def may_exchange_with(peer_state: PartyState | None) -> bool:
    """A node serves a peer and accepts from it only while the peer's Party is bound: in force or
    withdrawing (Art. 13, 15). From the day a withdrawal takes effect the Party is `withdrawn` and
    cut off by this alone; what it was lawfully sent before stays where it is."""
    return is_bound(peer_state)


@dataclass(frozen=True)
class OriginVersion:
    """One stored version of an origin's own object."""

    version: str
    marking: Marking
    sha256: str

    @property
    def ref(self) -> VersionRef:
        return (self.version, self.sha256)


@dataclass(frozen=True)
class OriginObject:
    """An origin's own object: its stored versions, oldest -> newest (the caller sorts them by
    the exchange's version order, `kelisim.domain.taxii.version_key`); deleted versions are
    absent. The latest is the last."""

    collection: str
    stix_id: str
    versions: tuple[OriginVersion, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "versions", tuple(self.versions))
        _check_unique(v.version for v in self.versions)

    @property
    def latest(self) -> OriginVersion | None:
        return self.versions[-1] if self.versions else None


def entitled_versions(party: str, obj: OriginObject) -> tuple[OriginVersion, ...]:
    """The latest-version rule: every version the Party may receive if it may receive the latest
    one; nothing if it may not, or if the object has no versions left."""
    latest = obj.latest
    if latest is None or not peer_may_receive(party, latest.marking):
        return ()
    return tuple(v for v in obj.versions if peer_may_receive(party, v.marking))


@dataclass(frozen=True)
class Sent:
    """The last snapshot sent to one peer for one object."""

    generation: int
    versions: tuple[VersionRef, ...]

    def __post_init__(self) -> None:
        _check_generation(self.generation)
        object.__setattr__(self, "versions", _refs(self.versions))


@dataclass(frozen=True)
class Snapshot:
    """What the origin sends a peer for one object: the whole set of versions the peer is
    entitled to (oldest -> newest) and its generation. No versions: a purge."""

    collection: str
    stix_id: str
    generation: int
    versions: tuple[VersionRef, ...]

    def __post_init__(self) -> None:
        _check_generation(self.generation)
        object.__setattr__(self, "versions", _refs(self.versions))

    @property
    def is_purge(self) -> bool:
        return not self.versions

    @property
    def sent(self) -> Sent:
        """What the origin records as last sent once this snapshot is on its way."""
        return Sent(self.generation, self.versions)


def next_snapshot(party: str, obj: OriginObject, last_sent: Sent | None) -> Snapshot | None:
    """The snapshot to send `party` for `obj` now, or None when there is nothing to send: the
    entitled set is the one last sent (no churn), or it is empty and nothing non-empty was ever
    sent (the object is not revealed)."""
    refs = tuple(v.ref for v in entitled_versions(party, obj))
    if last_sent is None:
        if not refs:
            return None
        generation = 1
    else:
        if set(refs) == set(last_sent.versions):
            return None
        generation = last_sent.generation + 1
    return Snapshot(obj.collection, obj.stix_id, generation, refs)


@dataclass(frozen=True)
class Copy:
    """What a receiving node holds of one (origin, collection, object): the generation of the
    snapshot it last took and that snapshot's versions (none: purged)."""

    generation: int
    versions: tuple[VersionRef, ...]

    def __post_init__(self) -> None:
        _check_generation(self.generation)
        object.__setattr__(self, "versions", _refs(self.versions))


def apply(held: Copy | None, snapshot: Snapshot) -> Copy | None:
    """The copy after `snapshot` arrives, or None when nothing changes (a duplicate, a replay
    or an older snapshot arriving late: only a greater generation wins). A purge gives a copy
    with no versions, which remembers its generation so that an older snapshot cannot revive it."""
    if held is not None and snapshot.generation <= held.generation:
        return None
    return Copy(snapshot.generation, snapshot.versions)


# --- what the origin signs -----------------------------------------------------------------------

def snapshot_statement(origin_key_id: str, peer: str, s: Snapshot) -> dict[str, Any]:
    """What the origin signs for each snapshot. The peer, the object and the generation are
    inside the signed bytes, so a snapshot cannot be replayed to another Party, moved to another
    object, or altered; an old one replayed loses to the newer one (`apply`)."""
    return {"type": SNAPSHOT_TYPE, "origin": origin_key_id, "peer": peer,
            "collection": s.collection, "object": s.stix_id, "generation": s.generation,
            "versions": [[version, sha256] for version, sha256 in s.versions]}


def snapshot_of_statement(statement: Mapping[str, Any]) -> Snapshot:
    """The snapshot a (verified) snapshot statement describes; ValueError if it is not one."""
    if statement.get("type") != SNAPSHOT_TYPE:
        raise ValueError(f"not a {SNAPSHOT_TYPE} statement")
    for key in ("origin", "peer", "collection", "object"):
        if not isinstance(statement.get(key), str):
            raise ValueError(f"the snapshot statement's {key!r} is not a string")
    versions = statement.get("versions")
    if not isinstance(versions, list):
        raise ValueError("the snapshot statement's 'versions' is not a list")
    generation = statement.get("generation")
    _check_generation(generation)
    assert isinstance(generation, int)
    return Snapshot(statement["collection"], statement["object"], generation,
                    tuple(_ref(item) for item in versions))


# --- checks --------------------------------------------------------------------------------------

def _check_generation(generation: object) -> None:
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 1:
        raise ValueError(f"a generation is an integer from 1, not {generation!r}")


def _ref(item: object) -> VersionRef:
    if (not isinstance(item, list | tuple) or len(item) != 2
            or not all(isinstance(part, str) for part in item)):
        raise ValueError(f"a version reference is [version, sha256], not {item!r}")
    return (item[0], item[1])


def _refs(items: Iterable[object]) -> tuple[VersionRef, ...]:
    refs = tuple(_ref(item) for item in items)
    _check_unique(version for version, _ in refs)
    return refs


def _check_unique(versions: Iterable[str]) -> None:
    seen: set[str] = set()
    for version in versions:
        if version in seen:
            raise ValueError(f"version {version!r} appears twice")
        seen.add(version)

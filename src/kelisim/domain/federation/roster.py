"""Which node key speaks for which Party, on which day (issue 14, items 1 and 6).

Each Party's segment of the interstate information system (Art. 2; Art. 3 directions 6, 7, 12,
13) is one kelisim node; the depositary's node is the one that records instruments (Art. 15).
A node introduces itself with a **descriptor** (Party, URL, public key, first valid day) signed
by its own key: proof that it holds the private key. It speaks for its Party only once the
depositary's node has put it on the **roster**, a list of entries signed by the depositary's
key, numbered by a serial that only grows (a replayed older roster never wins: `newer`).

A key speaks from its `valid_from` (inclusive) until its `valid_until` (exclusive) unless it was
revoked on or before the day in question. Rotation closes the old key on the new key's first
day, so at most one key speaks for a Party on any day; revocation stops a key from the day it is
recorded. Admission and revocation are pure functions returning a new roster for the
depositary's node to sign. Who may ask for them (the Party's party-admin and the depositary) is
decided by the service; what is on a signed roster is decided here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation import _fields as f
from kelisim.domain.federation.signing import NodeKey, key_id, public_key_is_valid, verify

DESCRIPTOR_TYPE = "kelisim/descriptor/1"
ROSTER_TYPE = "kelisim/roster/1"


@dataclass(frozen=True)
class NodeDescriptor:
    """A node's claim: this key, at this URL, for this Party (None: the depositary's node)."""

    party: str | None
    url: str
    public_key: str
    valid_from: date

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)


@dataclass(frozen=True)
class SignedDescriptor:
    descriptor: NodeDescriptor
    signature: str


def descriptor_statement(d: NodeDescriptor) -> dict[str, Any]:
    return {"type": DESCRIPTOR_TYPE, "party": d.party, "url": d.url,
            "public_key": d.public_key, "key_id": key_id(d.public_key),
            "valid_from": f.iso_date(d.valid_from)}


def sign_descriptor(d: NodeDescriptor, key: NodeKey) -> SignedDescriptor:
    """The node's self-signature over its own descriptor (proof of possession)."""
    if key.public_key != d.public_key:
        raise FederationError("a node descriptor is signed by the key it describes (issue 14)")
    _check_descriptor(d)
    return SignedDescriptor(d, key.sign(descriptor_statement(d)))


def verify_descriptor(signed: SignedDescriptor) -> NodeDescriptor:
    d = signed.descriptor
    _check_descriptor(d)
    if not verify(d.public_key, descriptor_statement(d), signed.signature):
        raise UntrustedSignature(f"the descriptor of the node at {d.url} is not signed by the key "
                                 f"it names: the node has not shown it holds that key "
                                 f"(issue 14, item 1)")
    return d


def descriptor_to_json(signed: SignedDescriptor) -> dict[str, Any]:
    return {"descriptor": descriptor_statement(signed.descriptor), "signature": signed.signature}


def descriptor_from_json(data: object) -> SignedDescriptor:
    """The signed descriptor in `data`, refused if malformed (its signature is not checked
    here: call `verify_descriptor`)."""
    outer = f.mapping(data, "a signed node descriptor")
    body = f.mapping(outer.get("descriptor"), "a node descriptor")
    f.expect_type(body, DESCRIPTOR_TYPE, "a node descriptor")
    what = "a node descriptor"
    d = NodeDescriptor(party=f.field(body, "party", str, what, optional=True),
                       url=f.field(body, "url", str, what),
                       public_key=f.field(body, "public_key", str, what),
                       valid_from=f.parse_date(f.field(body, "valid_from", str, what),
                                               "its valid_from"))
    _check_descriptor(d)
    if descriptor_statement(d) != dict(body):
        raise FederationError("a node descriptor holds unknown fields or a key_id that is not "
                              "its key's (issue 14)")
    return SignedDescriptor(d, f.field(outer, "signature", str, "a signed node descriptor"))


@dataclass(frozen=True)
class RosterEntry:
    party: str | None
    url: str
    public_key: str
    valid_from: date
    valid_until: date | None = None
    revoked_on: date | None = None

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def speaks_on(self, on: date) -> bool:
        """valid_from <= on < valid_until, and not revoked on or before `on`."""
        return (self.valid_from <= on
                and (self.valid_until is None or on < self.valid_until)
                and (self.revoked_on is None or on < self.revoked_on))

    @property
    def open_ended(self) -> bool:
        return self.valid_until is None and self.revoked_on is None

    @property
    def ends_on(self) -> date | None:
        """The first day it no longer speaks; None while it speaks for ever."""
        bounds = [b for b in (self.valid_until, self.revoked_on) if b is not None]
        return min(bounds) if bounds else None

    @property
    def speaks_some_day(self) -> bool:
        return self.ends_on is None or self.valid_from < self.ends_on


@dataclass(frozen=True)
class Roster:
    serial: int
    issued_at: datetime
    depositary_key: str
    entries: tuple[RosterEntry, ...]


@dataclass(frozen=True)
class SignedRoster:
    roster: Roster
    signature: str


def _entry_statement(e: RosterEntry) -> dict[str, Any]:
    return {"party": e.party, "url": e.url, "public_key": e.public_key, "key_id": e.key_id,
            "valid_from": f.iso_date(e.valid_from),
            "valid_until": None if e.valid_until is None else f.iso_date(e.valid_until),
            "revoked_on": None if e.revoked_on is None else f.iso_date(e.revoked_on)}


def roster_statement(r: Roster) -> dict[str, Any]:
    return {"type": ROSTER_TYPE, "serial": r.serial, "issued_at": f.iso_instant(r.issued_at),
            "depositary_key": r.depositary_key, "depositary_key_id": key_id(r.depositary_key),
            "entries": [_entry_statement(e) for e in r.entries]}


def sign_roster(roster: Roster, key: NodeKey) -> SignedRoster:
    if key.public_key != roster.depositary_key:
        raise FederationError("a roster is signed by the depositary's node key it names "
                              "(issue 14, item 1)")
    check_roster(roster)
    return SignedRoster(roster, key.sign(roster_statement(roster)))


def verify_roster(signed: SignedRoster, trusted_depositary_key: str) -> Roster:
    """The roster, if the depositary's key this node trusts signed it and it is consistent."""
    roster = signed.roster
    if roster.depositary_key != trusted_depositary_key:
        raise UntrustedSignature(
            f"roster {roster.serial} names the depositary key "
            f"{_short_id(roster.depositary_key)}, not the one this node trusts "
            f"({_short_id(trusted_depositary_key)}) (issue 14, item 1)")
    check_roster(roster)
    if not verify(trusted_depositary_key, roster_statement(roster), signed.signature):
        raise UntrustedSignature(f"roster {roster.serial} is not signed by the depositary's node "
                                 f"key: forged or altered (issue 14, item 1)")
    return roster


def check_roster(roster: Roster) -> None:
    """Refuse a roster that is not well-formed or would let two keys speak for one Party on a
    day, or one key for two Parties."""
    if isinstance(roster.serial, bool) or not isinstance(roster.serial, int) or roster.serial < 1:
        raise FederationError(f"a roster's serial is a positive integer, not {roster.serial!r}")
    if not public_key_is_valid(roster.depositary_key):
        raise FederationError("the roster's depositary key is not an Ed25519 public key")
    if not isinstance(roster.issued_at, datetime):
        raise FederationError("a roster's issued_at is an instant")
    f.iso_instant(roster.issued_at)
    seen: set[str] = set()
    for entry in roster.entries:
        _check_entry(entry)
        if entry.key_id in seen:
            raise FederationError(f"key {entry.key_id} is on the roster twice (issue 14)")
        seen.add(entry.key_id)
    if not any(e.party is None and e.public_key == roster.depositary_key for e in roster.entries):
        raise FederationError("the roster has no entry for the depositary's own key (issue 14)")
    for party in {e.party for e in roster.entries}:
        _check_no_overlap([e for e in roster.entries if e.party == party], party)


def _check_descriptor(d: NodeDescriptor) -> None:
    f.check_party(d.party, "a node descriptor")
    if not isinstance(d.url, str) or not d.url.startswith(("https://", "http://")):
        raise FederationError(f"a node's URL is an http(s) URL, not {d.url!r} (issue 14)")
    if not public_key_is_valid(d.public_key):
        raise FederationError("a node descriptor's public key is not an Ed25519 public key "
                              "(32 bytes, unpadded base64url)")
    if not isinstance(d.valid_from, date) or isinstance(d.valid_from, datetime):
        raise FederationError("a node descriptor's valid_from is a date")


def _check_entry(e: RosterEntry) -> None:
    _check_descriptor(NodeDescriptor(e.party, e.url, e.public_key, e.valid_from))
    if e.valid_until is not None and e.valid_until <= e.valid_from:
        raise FederationError(f"the roster entry of key {e.key_id} ends ({e.valid_until}) before "
                              f"it starts ({e.valid_from})")


def _check_no_overlap(entries: list[RosterEntry], party: str | None) -> None:
    spans = sorted(((e.valid_from, e.ends_on, e) for e in entries if e.speaks_some_day),
                   key=lambda span: span[0])
    for (_, end, first), (start, _, second) in itertools.pairwise(spans):
        if end is None or start < end:
            who = party or "the depositary"
            raise FederationError(f"keys {first.key_id} and {second.key_id} would both speak for "
                                  f"{who} on {start}: one key per Party on a day (issue 14)")


def newer(current: Roster | None, candidate: Roster) -> bool:
    """Whether `candidate` replaces `current`: its serial is strictly greater."""
    return current is None or candidate.serial > current.serial


def empty_roster(depositary_key: str, depositary_url: str, on: date,
                 issued_at: datetime) -> Roster:
    """Serial 1: only the depositary's own node, speaking from `on`."""
    roster = Roster(1, issued_at, depositary_key,
                    (RosterEntry(None, depositary_url, depositary_key, on),))
    check_roster(roster)
    return roster


def admit(roster: Roster, descriptor: NodeDescriptor, on: date, *,
          issued_at: datetime | None = None) -> Roster:
    """The next roster, with `descriptor`'s key speaking for its Party from its valid_from.

    If the Party has a current key, it stops on the new key's first day (rotation). A key never
    speaks for days before it was admitted (`valid_from >= on`), a key is admitted once, and the
    depositary's own key is not rotated this way (every node trusts it as the anchor).
    `issued_at` defaults to the start of `on` (UTC), never before the previous roster's.
    """
    _check_descriptor(descriptor)
    if descriptor.party is None:
        raise FederationError("the depositary's node key is every node's trust anchor; it is not "
                              "rotated by admission (issue 14)")
    if descriptor.valid_from < on:
        raise FederationError(f"a key admitted on {on} cannot speak from an earlier day "
                              f"({descriptor.valid_from}) (issue 14, item 1)")
    if any(e.public_key == descriptor.public_key for e in roster.entries):
        raise FederationError(f"key {descriptor.key_id} is already on the roster; a new node key "
                              f"is needed (issue 14)")
    entries = []
    for entry in roster.entries:
        if entry.party == descriptor.party and entry.open_ended:
            if descriptor.valid_from <= entry.valid_from:
                raise FederationError(
                    f"{descriptor.party}'s current key {entry.key_id} speaks from "
                    f"{entry.valid_from}; its successor must start later (issue 14)")
            entry = replace(entry, valid_until=descriptor.valid_from)
        entries.append(entry)
    entries.append(RosterEntry(descriptor.party, descriptor.url, descriptor.public_key,
                               descriptor.valid_from))
    return _next(roster, tuple(entries), on, issued_at)


def revoke(roster: Roster, key_id: str, on: date, *,
           issued_at: datetime | None = None) -> Roster:
    """The next roster, on which `key_id` no longer speaks from `on` (inclusive)."""
    matches = [e for e in roster.entries if e.key_id == key_id]
    if not matches:
        raise FederationError(f"key {key_id} is not on roster {roster.serial} (issue 14)")
    entry = matches[0]
    if entry.public_key == roster.depositary_key:
        raise FederationError("the depositary's node key cannot be revoked on the roster it "
                              "signs (issue 14)")
    if entry.revoked_on is not None and entry.revoked_on <= on:
        raise FederationError(f"key {key_id} was already revoked on {entry.revoked_on}")
    revoked = replace(entry, revoked_on=on)
    entries = tuple(revoked if e is entry else e for e in roster.entries)
    return _next(roster, entries, on, issued_at)


def _next(roster: Roster, entries: tuple[RosterEntry, ...], on: date,
          issued_at: datetime | None) -> Roster:
    if issued_at is None:
        issued_at = max(roster.issued_at, datetime.combine(on, time(0), UTC))
    candidate = Roster(roster.serial + 1, issued_at, roster.depositary_key, entries)
    check_roster(candidate)
    return candidate


def speaker(roster: Roster, key_id: str, on: date) -> RosterEntry | None:
    """The entry whose key `key_id` speaks on `on`, or None (unknown, not yet, ended, revoked)."""
    for entry in roster.entries:
        if entry.key_id == key_id and entry.speaks_on(on):
            return entry
    return None


def key_resolver(roster: Roster, on: date) -> Callable[[str], str | None]:
    """key id -> public key of a key that speaks on `on` (None otherwise): what a node passes
    to `kelisim.web.federation_signatures.verify_request` to accept only current nodes."""
    def resolve(key_id: str) -> str | None:
        entry = speaker(roster, key_id, on)
        return entry.public_key if entry is not None else None
    return resolve


def node_of(roster: Roster, party: str | None, on: date) -> RosterEntry | None:
    """The entry of the key that speaks for `party` (None: the depositary) on `on`."""
    for entry in roster.entries:
        if entry.party == party and entry.speaks_on(on):
            return entry
    return None


def roster_to_json(signed: SignedRoster) -> dict[str, Any]:
    return {"roster": roster_statement(signed.roster), "signature": signed.signature}


def roster_from_json(data: object) -> SignedRoster:
    """The signed roster in `data`, refused with a FederationError if malformed (its signature
    is checked by `verify_roster`)."""
    outer = f.mapping(data, "a signed roster")
    body = f.mapping(outer.get("roster"), "a roster")
    f.expect_type(body, ROSTER_TYPE, "a roster")
    entries = tuple(_entry_from_json(item, n)
                    for n, item in enumerate(f.field(body, "entries", list, "a roster"), 1))
    roster = Roster(serial=f.field(body, "serial", int, "a roster"),
                    issued_at=f.parse_instant(f.field(body, "issued_at", str, "a roster"),
                                              "a roster's issued_at"),
                    depositary_key=f.field(body, "depositary_key", str, "a roster"),
                    entries=entries)
    check_roster(roster)
    if roster_statement(roster) != dict(body):
        raise FederationError("a roster holds unknown fields or key ids that are not its keys' "
                              "(issue 14)")
    return SignedRoster(roster, f.field(outer, "signature", str, "a signed roster"))


def _entry_from_json(item: object, n: int) -> RosterEntry:
    what = f"roster entry {n}"
    data: Mapping[str, Any] = f.mapping(item, what)
    until = f.field(data, "valid_until", str, what, optional=True)
    revoked = f.field(data, "revoked_on", str, what, optional=True)
    return RosterEntry(
        party=f.field(data, "party", str, what, optional=True),
        url=f.field(data, "url", str, what),
        public_key=f.field(data, "public_key", str, what),
        valid_from=f.parse_date(f.field(data, "valid_from", str, what), f"{what}'s valid_from"),
        valid_until=None if until is None else f.parse_date(until, f"{what}'s valid_until"),
        revoked_on=None if revoked is None else f.parse_date(revoked, f"{what}'s revoked_on"))


def _short_id(public_key: str) -> str:
    try:
        return key_id(public_key)
    except FederationError:
        return "a malformed key"

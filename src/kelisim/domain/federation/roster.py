"""Which node key speaks for which Party, on which day (issue 14, items 1 and 6).

Each Party's segment of the interstate information system (Art. 2; Art. 3 directions 6, 7, 12,
13) is one kelisim node; the depositary's node is the one that records instruments (Art. 15).
A node introduces itself with a **descriptor** (Party, URL, public key, first valid day) signed
by its own key: proof that it holds the private key. It speaks for its Party only once the
depositary's node has put it on the **roster**, a list of entries signed by the depositary's
key, numbered by a serial that only grows (a replayed older roster never wins: `newer`).

A key speaks from its `valid_from` (inclusive) until its `valid_until` (exclusive) unless it was
revoked on or before the day in question. `valid_until` is set by rotation (the successor's first
day) or by expiry: the depositary's node gives each key it admits at most a maximum lifetime
(`admit(..., lifetime_days=)`), as a TUF root or Sigstore's trusted root bounds each key's
validity, written into the same field that every build already enforces (`speaks_on`).
`silence` says why a key does not speak on a day: not yet, expired, rotated out, revoked.
Rotation closes the old key on the new key's first day, so at most one key speaks for a Party on
any day; revocation stops a key from the day it is recorded. Admission and revocation are pure
functions returning a new roster for the depositary's node to sign. Who may ask for them (the
Party's party-admin and the depositary) is decided by the service; what is on a signed roster
is decided here.

**Rotation.** A Party's node that makes a new key asks for it with a **rotation request**: the
new key's self-signed descriptor, and a statement naming it signed by the key it replaces
(`sign_rotation`, `verify_rotation`), so the depositary knows it is the same node and not a
stranger; admitted, it ends the old key's validity on its own first day (`admit`), and the old
key's span stays on every later roster so that what it signed stays verifiable.

**The anchor's rotation.** The depositary's key is every node's trust anchor, so it cannot be
replaced by a roster it signs alone: a **transition** roster names the new anchor key as its
`depositary_key` and the old one as `previous_key`, and is signed by both (as a TUF root is
signed by the old root and the new one). A node that holds the old anchor takes the transition
(`verify_roster_from`) and from then on trusts only rosters the new key signs; a node that holds
an anchor from two transitions ago needs every transition in between (a skipped transition is
refused). `anchor_spans` tells, from the rosters a node holds, until when each anchor it ever
trusted spoke (the checkpoints it signed before stay verifiable).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation import _fields as f
from kelisim.domain.federation.signing import NodeKey, key_id, public_key_is_valid, verify

DESCRIPTOR_TYPE = "kelisim/descriptor/1"
ROSTER_TYPE = "kelisim/roster/1"
ROTATION_TYPE = "kelisim/key-rotation/1"


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
    """`previous_key` is set on a transition roster only: the anchor key it replaces."""

    serial: int
    issued_at: datetime
    depositary_key: str
    entries: tuple[RosterEntry, ...]
    previous_key: str | None = None


@dataclass(frozen=True)
class SignedRoster:
    """`previous_signature`: the previous anchor's signature of a transition roster."""

    roster: Roster
    signature: str
    previous_signature: str | None = None


def _entry_statement(e: RosterEntry) -> dict[str, Any]:
    return {"party": e.party, "url": e.url, "public_key": e.public_key, "key_id": e.key_id,
            "valid_from": f.iso_date(e.valid_from),
            "valid_until": None if e.valid_until is None else f.iso_date(e.valid_until),
            "revoked_on": None if e.revoked_on is None else f.iso_date(e.revoked_on)}


def roster_statement(r: Roster) -> dict[str, Any]:
    statement = {"type": ROSTER_TYPE, "serial": r.serial,
                 "issued_at": f.iso_instant(r.issued_at), "depositary_key": r.depositary_key,
                 "depositary_key_id": key_id(r.depositary_key),
                 "entries": [_entry_statement(e) for e in r.entries]}
    if r.previous_key is not None:  # absent otherwise: the rosters signed before keep their bytes
        statement["previous_key"] = r.previous_key
        statement["previous_key_id"] = key_id(r.previous_key)
    return statement


def sign_roster(roster: Roster, key: NodeKey) -> SignedRoster:
    if key.public_key != roster.depositary_key:
        raise FederationError("a roster is signed by the depositary's node key it names "
                              "(issue 14, item 1)")
    if roster.previous_key is not None:
        raise FederationError("a transition roster is signed by the old anchor key and the new "
                              "one (`sign_transition`) (issue 14, item 1)")
    check_roster(roster)
    return SignedRoster(roster, key.sign(roster_statement(roster)))


def sign_transition(roster: Roster, new_key: NodeKey, previous_key: NodeKey) -> SignedRoster:
    """A transition roster signed by the new anchor key it names and by the one it replaces."""
    if roster.previous_key is None or previous_key.public_key != roster.previous_key:
        raise FederationError("a transition roster is signed by the previous anchor key it "
                              "names (issue 14, item 1)")
    if new_key.public_key != roster.depositary_key:
        raise FederationError("a roster is signed by the depositary's node key it names "
                              "(issue 14, item 1)")
    check_roster(roster)
    statement = roster_statement(roster)
    return SignedRoster(roster, new_key.sign(statement), previous_key.sign(statement))


def verify_roster(signed: SignedRoster, trusted_depositary_key: str) -> Roster:
    """The roster, if the depositary's key this node trusts signed it and it is consistent
    (a transition roster's previous signature is checked too)."""
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
    if roster.previous_key is not None and not verify(
            roster.previous_key, roster_statement(roster), signed.previous_signature or ""):
        raise UntrustedSignature(f"transition roster {roster.serial} is not signed by the "
                                 f"anchor key it replaces (issue 14, item 1)")
    return roster


def verify_roster_from(signed: SignedRoster, trusted_depositary_key: str) -> Roster:
    """The roster, if signed by the anchor this node trusts, or if it is a transition from that
    anchor to a new one, signed by both. Anything else (another anchor, a transition from an
    anchor this node does not hold: a skipped transition) is refused."""
    roster = signed.roster
    if roster.depositary_key == trusted_depositary_key:
        return verify_roster(signed, trusted_depositary_key)
    if roster.previous_key != trusted_depositary_key:
        via = ("" if roster.previous_key is None else
               f" (it is a transition from {_short_id(roster.previous_key)}: a transition in "
               f"between is missing)")
        raise UntrustedSignature(
            f"roster {roster.serial} names the depositary key "
            f"{_short_id(roster.depositary_key)}, not the one this node trusts "
            f"({_short_id(trusted_depositary_key)}){via} (issue 14, item 1)")
    if not verify(trusted_depositary_key, roster_statement(roster),
                  signed.previous_signature or ""):
        raise UntrustedSignature(f"transition roster {roster.serial} is not signed by the anchor "
                                 f"key this node trusts: forged (issue 14, item 1)")
    return verify_roster(signed, roster.depositary_key)


@dataclass(frozen=True)
class AnchorSpan:
    """An anchor key this node trusted, and the last instant it spoke (None: it speaks)."""

    public_key: str
    ends_at: datetime | None


def anchor_spans(held: Iterable[Roster]) -> dict[str, AnchorSpan]:
    """By key id, each anchor key of the rosters a node holds (each verified when taken) and
    until when it spoke: a transition ends the previous anchor at its `issued_at` (the instant
    of the transition itself included: test clocks stand still); a revocation of an old
    anchor's entry on the newest roster ends it just before that day."""
    ordered = sorted(held, key=lambda r: r.serial)
    spans: dict[str, AnchorSpan] = {}
    for roster in ordered:
        spans.setdefault(key_id(roster.depositary_key), AnchorSpan(roster.depositary_key, None))
        if roster.previous_key is not None:
            old = spans.get(key_id(roster.previous_key))
            end = roster.issued_at if old is None or old.ends_at is None else min(
                old.ends_at, roster.issued_at)
            spans[key_id(roster.previous_key)] = AnchorSpan(roster.previous_key, end)
    if ordered:
        for entry in ordered[-1].entries:
            span = spans.get(entry.key_id)
            if entry.party is None and span is not None and entry.revoked_on is not None:
                revoked = datetime.combine(entry.revoked_on, time(0), UTC) - timedelta(
                    microseconds=1)
                spans[entry.key_id] = AnchorSpan(span.public_key, revoked if span.ends_at is None
                                                 else min(span.ends_at, revoked))
    return spans


def anchor_for(spans: Mapping[str, AnchorSpan], origin_key_id: str, issued_at: datetime) -> str:
    """The anchor key whose id is `origin_key_id`, if it still spoke at `issued_at`: what
    verifies a checkpoint signed before a transition (UntrustedSignature otherwise)."""
    span = spans.get(origin_key_id)
    if span is None:
        raise UntrustedSignature(f"the key {origin_key_id} was never this node's trust anchor "
                                 f"(issue 14, item 1)")
    if span.ends_at is not None and issued_at > span.ends_at:
        raise UntrustedSignature(f"the anchor key {origin_key_id} stopped speaking at "
                                 f"{f.iso_instant(span.ends_at)}; what it dates later is refused "
                                 f"(issue 14, item 1)")
    return span.public_key


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
    if roster.previous_key is not None and (
            roster.previous_key == roster.depositary_key or not any(
                e.party is None and e.public_key == roster.previous_key for e in roster.entries)):
        raise FederationError("a transition roster names as previous anchor another key of the "
                              "depositary's that it keeps on the roster (issue 14)")
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
          issued_at: datetime | None = None, lifetime_days: int | None = None) -> Roster:
    """The next roster, with `descriptor`'s key speaking for its Party from its valid_from
    (until `lifetime_days` later, if given: its expiry).

    If the Party has a current key (open-ended, or expiring after the new key's first day), it
    stops on the new key's first day (rotation). A key never
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
    if lifetime_days is not None and lifetime_days < 1:
        raise FederationError(f"a key's lifetime is at least one day, not {lifetime_days}")
    entries = []
    for entry in roster.entries:
        if entry.party == descriptor.party and entry.revoked_on is None and (
                entry.valid_until is None or entry.valid_until > descriptor.valid_from):
            if descriptor.valid_from <= entry.valid_from:
                raise FederationError(
                    f"{descriptor.party}'s current key {entry.key_id} speaks from "
                    f"{entry.valid_from}; its successor must start later (issue 14)")
            entry = replace(entry, valid_until=descriptor.valid_from)
        entries.append(entry)
    until = (None if lifetime_days is None
             else descriptor.valid_from + timedelta(days=lifetime_days))
    entries.append(RosterEntry(descriptor.party, descriptor.url, descriptor.public_key,
                               descriptor.valid_from, valid_until=until))
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


def rotate_anchor(roster: Roster, new_key: str, url: str, on: date, *,
                  issued_at: datetime | None = None) -> Roster:
    """The transition roster: `new_key` is the depositary's key from `on`, the current anchor's
    entry ends that day (kept, so what it signed stays verifiable); `sign_transition` signs it."""
    old = next(e for e in roster.entries if e.public_key == roster.depositary_key)
    if any(e.public_key == new_key for e in roster.entries):
        raise FederationError(f"key {_short_id(new_key)} is already on the roster; a new anchor "
                              f"key is needed (issue 14)")
    if on <= old.valid_from:
        raise FederationError(f"the depositary's key {old.key_id} speaks from {old.valid_from}; "
                              f"its successor must start on a later day (issue 14)")
    entries = (*(replace(e, valid_until=on) if e is old and e.open_ended else e
                 for e in roster.entries), RosterEntry(None, url, new_key, on))
    candidate = replace(_next(roster, entries, on, issued_at, depositary_key=new_key),
                        previous_key=roster.depositary_key)
    check_roster(candidate)
    return candidate


def rotation_statement(previous_key: str, d: NodeDescriptor) -> dict[str, Any]:
    """What the key being replaced signs: this descriptor's key is my successor."""
    return {"type": ROTATION_TYPE, "previous_key": previous_key,
            "previous_key_id": key_id(previous_key), "descriptor": descriptor_statement(d)}


def sign_rotation(new: SignedDescriptor, previous: NodeKey) -> dict[str, Any]:
    """A rotation request: the new key's self-signed descriptor, and the old key's signature
    naming it (both keys sign: the old proves it is the same node, the new that it is held)."""
    verify_descriptor(new)
    if previous.public_key == new.descriptor.public_key:
        raise FederationError("a rotation names a new key (issue 14)")
    return {**descriptor_to_json(new),
            "rotation": {"previous_key": previous.public_key,
                         "signature": previous.sign(rotation_statement(previous.public_key,
                                                                       new.descriptor))}}


def rotation_of(data: object) -> tuple[str, str] | None:
    """(previous key, its signature) of a rotation request; None for a plain admission."""
    outer = f.mapping(data, "a signed node descriptor")
    if outer.get("rotation") is None:
        return None
    body = f.mapping(outer["rotation"], "a key rotation")
    return (f.field(body, "previous_key", str, "a key rotation"),
            f.field(body, "signature", str, "a key rotation"))


def verify_rotation(data: object, roster: Roster, on: date) -> tuple[NodeDescriptor, RosterEntry]:
    """The new descriptor and the entry of the key it replaces, if `data` is a rotation request
    whose new key signed its descriptor and whose old key, speaking for the same Party on `on`
    on `roster` (not revoked, not ended), signed the rotation; UntrustedSignature otherwise."""
    descriptor = verify_descriptor(descriptor_from_json(data))
    found = rotation_of(data)
    if found is None:
        raise FederationError("this is an admission, not a rotation: it carries no signature of "
                              "the key it replaces (issue 14)")
    previous_key, signature = found
    if not public_key_is_valid(previous_key):
        raise FederationError("a rotation's previous key is not an Ed25519 public key")
    entry = speaker(roster, key_id(previous_key), on)
    if entry is None or entry.party != descriptor.party:
        raise UntrustedSignature(
            f"the key {_short_id(previous_key)} does not speak for {descriptor.party} on {on} "
            f"(unknown, ended or revoked): it cannot vouch for a successor; the Party's "
            f"party-admin asks for a plain admission instead (issue 14, item 1)")
    if not verify(previous_key, rotation_statement(previous_key, descriptor), signature):
        raise UntrustedSignature(f"the rotation is not signed by the key it replaces "
                                 f"({entry.key_id}): forged (issue 14, item 1)")
    return descriptor, entry


def _next(roster: Roster, entries: tuple[RosterEntry, ...], on: date,
          issued_at: datetime | None, *, depositary_key: str | None = None) -> Roster:
    if issued_at is None:
        issued_at = max(roster.issued_at, datetime.combine(on, time(0), UTC))
    candidate = Roster(roster.serial + 1, issued_at, depositary_key or roster.depositary_key,
                       entries)
    check_roster(candidate)
    return candidate


def speaker(roster: Roster, key_id: str, on: date) -> RosterEntry | None:
    """The entry whose key `key_id` speaks on `on`, or None (unknown, not yet, ended, revoked)."""
    for entry in roster.entries:
        if entry.key_id == key_id and entry.speaks_on(on):
            return entry
    return None


def silence(roster: Roster, entry: RosterEntry, on: date) -> str | None:
    """Why `entry`'s key does not speak on `on` (None if it does): not yet valid, revoked,
    rotated out (a successor of its Party speaks from its end) or expired. What it signed while
    it spoke stays verifiable; what is dated from its end on is refused."""
    if entry.speaks_on(on):
        return None
    if on < entry.valid_from:
        return f"key {entry.key_id} speaks from {entry.valid_from}; it signed on {on}"
    if entry.revoked_on is not None and on >= entry.revoked_on:
        return f"key {entry.key_id} was revoked from {entry.revoked_on}; it signed on {on}"
    end = entry.valid_until
    if any(e.party == entry.party and e.valid_from == end and e is not entry
           for e in roster.entries):
        return f"key {entry.key_id} was rotated out on {end}; it signed on {on}"
    return f"key {entry.key_id} expired on {end}; it signed on {on}"


def expiring(entry: RosterEntry, roster: Roster, on: date, warn_days: int) -> date | None:
    """The day `entry`'s key expires, if that is within `warn_days` of `on` (or passed) and no
    successor of its Party is on the roster yet: the day to warn of (`kelisim node
    rotate-key` is the remedy)."""
    end = entry.valid_until
    if end is None or entry.revoked_on is not None or end - on > timedelta(days=warn_days):
        return None
    if any(e.party == entry.party and e.valid_from == end and e is not entry
           for e in roster.entries):
        return None
    return end


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
    document = {"roster": roster_statement(signed.roster), "signature": signed.signature}
    if signed.previous_signature is not None:
        document["previous_signature"] = signed.previous_signature
    return document


def roster_from_json(data: object) -> SignedRoster:
    """The signed roster in `data`, refused with a FederationError if malformed (its signature
    is checked by `verify_roster`)."""
    outer = f.mapping(data, "a signed roster")
    body = f.mapping(outer.get("roster"), "a roster")
    f.expect_type(body, ROSTER_TYPE, "a roster")
    entries = tuple(_entry_from_json(item, n)
                    for n, item in enumerate(f.field(body, "entries", list, "a roster"), 1))
    previous = (f.field(body, "previous_key", str, "a roster", optional=True)
                if "previous_key" in body else None)
    if previous is not None and not public_key_is_valid(previous):
        raise FederationError("a transition roster's previous key is not an Ed25519 public key")
    roster = Roster(serial=f.field(body, "serial", int, "a roster"),
                    issued_at=f.parse_instant(f.field(body, "issued_at", str, "a roster"),
                                              "a roster's issued_at"),
                    depositary_key=f.field(body, "depositary_key", str, "a roster"),
                    entries=entries, previous_key=previous)
    check_roster(roster)
    if roster_statement(roster) != dict(body):
        raise FederationError("a roster holds unknown fields or key ids that are not its keys' "
                              "(issue 14)")
    previous_signature = (f.field(outer, "previous_signature", str, "a signed roster")
                          if previous is not None else None)
    return SignedRoster(roster, f.field(outer, "signature", str, "a signed roster"),
                        previous_signature)


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

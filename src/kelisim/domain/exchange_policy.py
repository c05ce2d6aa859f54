"""Who may see and write what in the exchange between authorized bodies (Art. 6, 9; TLP 2.0).

One pure function decides each question, so that the whole policy can be tested as a table
(docs/decisions/0004-exchange-policy.md gives the reasons):

* A reader is an account of an authorized body of a Party that the Agreement binds on the day of
  the request: `in_force`, or `withdrawing` (Art. 15: bound until the withdrawal takes effect).
  `not_party`, `signatory`, `pending` and `withdrawn` Parties read and write nothing; neither do
  certification bodies. The depositary reads CLEAR and GREEN objects that carry no
  restricted-access marking, in collections open to every Party only (no read list names it;
  decision 0012), and writes nothing: it is not an authorized body.
* TLP CLEAR and GREEN go to every bound Party; an unmarked object counts as GREEN (posting into
  the exchange is itself the act of sharing with the Parties).
* AMBER, AMBER+STRICT and RED go only to the recipients the producer names (Parties or single
  authorized bodies) and to the producing Party.
* A restricted-access marking (Art. 2) narrows further: only its owner Party, the Parties it
  allows and the producing Party; it is intersected with the TLP rule, never widened by it.

The same rules are compiled by `gates()` into two short strings stored beside each object, which
SQL filters with `LIKE` so that a page is selected without loading invisible objects; the unit
test proves `compiled_visible(gates(m), scope(r)) == may_read(r, m)` for every combination.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.treaty import PartyState

BOUND_STATES = frozenset({PartyState.IN_FORCE, PartyState.WITHDRAWING})
"""States in which a Party's bodies take part in the exchange (Art. 13, 15)."""

OPEN_TLP = frozenset({"clear", "green", None})
"""TLP levels that go to every bound Party (None: unmarked, treated as GREEN)."""

DEPOSITARY_TLP = frozenset({"clear", "green", None})
"""What the depositary may read: open information without a restricted-access marking."""

READING_ROLES = frozenset({Role.PARTY_ADMIN, Role.ANALYST, Role.READER})
WRITING_ROLES = frozenset({Role.PARTY_ADMIN, Role.ANALYST})


class Endpoint(StrEnum):
    """The TAXII endpoints whose answer depends on who asks (TAXII 2.1 section 5)."""

    OBJECTS = "objects"
    OBJECT = "object"
    VERSIONS = "versions"
    MANIFEST = "manifest"
    DELETE = "delete"


READ_ENDPOINTS = frozenset({Endpoint.OBJECTS, Endpoint.OBJECT, Endpoint.VERSIONS,
                            Endpoint.MANIFEST})


@dataclass(frozen=True)
class Reader:
    """An account as the exchange sees it on one day."""

    role: Role
    organization_kind: OrganizationKind
    party: str | None
    body: str | None
    party_state: PartyState | None

    @classmethod
    def of(cls, principal: Principal, party_state: PartyState | None) -> Reader:
        """`body` is qualified by the account's Party (`RUS/RU-CERT`): a recipient body is a
        body *of a Party*, and an account of another Party named alike is not it (Art. 6)."""
        body = (qualified_body(principal.party, principal.organization)
                if principal.party and principal.organization else None)
        return cls(principal.role, principal.organization_kind, principal.party, body,
                   party_state)


def qualified_body(party: str, name: str) -> str:
    """How an authorized body is named in a marking's recipients and in a reader's scope."""
    return f"{party}/{name}"


@dataclass(frozen=True)
class Marking:
    """What the policy needs to know of one stored object version."""

    tlp: str | None = None
    recipient_parties: frozenset[str] = field(default_factory=frozenset)
    recipient_bodies: frozenset[str] = field(default_factory=frozenset)
    restricted_owner: str | None = None
    restricted_allowed: frozenset[str] = field(default_factory=frozenset)
    producer_party: str | None = None
    producer_body: str | None = None


class ScopeKind(StrEnum):
    NOTHING = "nothing"
    OPEN_ONLY = "open_only"
    BODY = "body"


@dataclass(frozen=True)
class Scope:
    """A reader reduced to what SQL needs to filter objects for it."""

    kind: ScopeKind
    party: str | None = None
    body: str | None = None


def is_bound(state: PartyState | None) -> bool:
    return state in BOUND_STATES


def is_exchange_body(reader: Reader) -> bool:
    return (reader.organization_kind is OrganizationKind.AUTHORIZED_BODY
            and reader.party is not None and reader.role in READING_ROLES)


def scope(reader: Reader) -> Scope:
    """What a reader may read at all, today."""
    if reader.organization_kind is OrganizationKind.DEPOSITARY:
        return Scope(ScopeKind.OPEN_ONLY)
    if is_exchange_body(reader) and is_bound(reader.party_state):
        return Scope(ScopeKind.BODY, reader.party, reader.body)
    return Scope(ScopeKind.NOTHING)


def may_read(reader: Reader, marking: Marking) -> bool:
    """Art. 6 and TLP 2.0, stated directly (the reference the compiled form is tested against)."""
    reach = scope(reader)
    if reach.kind is ScopeKind.NOTHING:
        return False
    if reach.kind is ScopeKind.OPEN_ONLY:
        return marking.tlp in DEPOSITARY_TLP and marking.restricted_owner is None
    party, body = reach.party, reach.body
    producer = party == marking.producer_party
    if marking.tlp not in OPEN_TLP and not (
            producer or party in marking.recipient_parties
            or (body is not None and body in marking.recipient_bodies)):
        return False
    if marking.restricted_owner is not None:
        return producer or party == marking.restricted_owner or party in marking.restricted_allowed
    return True


def decide(reader: Reader, marking: Marking, endpoint: Endpoint) -> bool:
    """Visible (read endpoints) or deletable (DELETE) for this reader."""
    if endpoint in READ_ENDPOINTS:
        return may_read(reader, marking)
    return (may_write(reader) and reader.party == marking.producer_party
            and may_read(reader, marking))


def may_read_statuses(reader: Reader) -> bool:
    """Another account's status resources of the reader's own Party (TAXII 2.1 section 4.3):
    for authorized bodies of a bound Party, as reading is."""
    return is_exchange_body(reader) and is_bound(reader.party_state)


def may_write(reader: Reader) -> bool:
    """Posting and deleting: analysts and party-admins of a bound Party's authorized body."""
    return (is_exchange_body(reader) and reader.role in WRITING_ROLES
            and is_bound(reader.party_state))


def collection_allows(party: str | None, allowed: frozenset[str] | None) -> bool:
    """A collection's read or write rule: None means every Party, else the listed ones."""
    return allowed is None or (party is not None and party in allowed)


# --- the compiled form stored with each object -------------------------------------------------

SEP = "|"


@dataclass(frozen=True)
class Gates:
    """`tlp`: None = every bound Party, else `|P:KAZ|B:<body>|` tokens; `restricted`: None = no
    restricted-access marking, else `|KAZ|RUS|`. `open` says whether the depositary may read."""

    tlp: str | None
    restricted: str | None
    open: bool


def gates(marking: Marking) -> Gates:
    tlp_gate = None
    if marking.tlp not in OPEN_TLP:
        tokens = {f"P:{p}" for p in marking.recipient_parties}
        tokens |= {f"B:{b}" for b in marking.recipient_bodies}
        if marking.producer_party:
            tokens.add(f"P:{marking.producer_party}")
        tlp_gate = _joined(tokens)
    restricted = None
    if marking.restricted_owner is not None:
        parties = {marking.restricted_owner, *marking.restricted_allowed}
        if marking.producer_party:
            parties.add(marking.producer_party)
        restricted = _joined(parties)
    is_open = marking.tlp in DEPOSITARY_TLP and marking.restricted_owner is None
    return Gates(tlp_gate, restricted, is_open)


def producer_only(producer_party: str | None) -> Gates:
    """The gates of what only its producer's Party may read: a tombstone left before its
    version's gates were kept with it (migration 0009) - whether others could read the version
    is no longer known, so it is shown to no one else (Art. 6: err on the side of not showing)."""
    return Gates(_joined([f"P:{producer_party}"] if producer_party else []), None, False)


def token(value: str, prefix: str = "") -> str:
    """How a party or body appears inside a gate, with the separators around it."""
    return f"{SEP}{prefix}{value.replace(SEP, '/')}{SEP}"


def compiled_visible(stored: Gates, reach: Scope) -> bool:
    """What the SQL filter computes, in Python (see storage.exchange_objects.visibility)."""
    if reach.kind is ScopeKind.NOTHING:
        return False
    if reach.kind is ScopeKind.OPEN_ONLY:
        return stored.open
    assert reach.party is not None
    if stored.tlp is not None:
        hit = token(reach.party, "P:") in stored.tlp or (
            reach.body is not None and token(reach.body, "B:") in stored.tlp)
        if not hit:
            return False
    return stored.restricted is None or token(reach.party) in stored.restricted


def _joined(values: Iterable[str]) -> str:
    return SEP + SEP.join(sorted(v.replace(SEP, "/") for v in values)) + SEP


# --- date_added, which every reader is shown ----------------------------------------------------

AUDIENCE_STRIDE = 16
"""Microseconds between two date_added stamps of one audience within a batch."""


def stamps_by_audience(audiences: Sequence[Hashable], start: int,
                       rng: random.Random) -> list[int]:
    """The date_added of each row of a batch, in batch order, none below `start`.

    Why: TAXII shows every reader the date_added of what it reads (manifests, the
    X-TAXII-Date-Added headers, section 3.2), and stamps given out one microsecond apart would
    count, between two rows a reader sees, the rows of the same envelope it may not see (Art. 6).
    So the rows that the same readers see (one audience: equal `Gates`, or a key standing for
    them) take every `AUDIENCE_STRIDE`-th microsecond from an offset drawn at random for their
    audience: a reader sees its rows that far apart whatever else the envelope held. An envelope
    with more audiences than the stride widens it to the next power of two, which tells a
    reader only that the envelope had over `AUDIENCE_STRIDE` audiences, never how many rows."""
    distinct = list(dict.fromkeys(audiences))
    stride = max(AUDIENCE_STRIDE, 1 << (len(distinct) - 1).bit_length())
    offsets = dict(zip(distinct, rng.sample(range(stride), len(distinct)), strict=True))
    given: dict[Hashable, int] = {}
    stamps = []
    for audience in audiences:
        nth = given.get(audience, 0)
        stamps.append(start + offsets[audience] + stride * nth)
        given[audience] = nth + 1
    return stamps

"""The Art. 6 exchange policy as a table: reader (Party state x role) x marking x endpoint.

Readers are bodies of KAZ (the producer's Party), RUS (a named recipient or allowed Party) and
BLR (never named), plus the depositary and a certification body. The expected verdict of each
cell is written out below from the rules of docs/decisions/0004-exchange-policy.md; then every
combination is checked against four "no leak" invariants stated independently of the code, and
against the compiled form SQL uses.
"""

from __future__ import annotations

import itertools
import random

import pytest

from kelisim.domain import exchange_policy as policy
from kelisim.domain.access import ExchangeAction, exchange_allowed, require_exchange
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import PermissionDenied
from kelisim.domain.exchange_policy import Endpoint, Marking, Reader
from kelisim.domain.treaty import PartyState

BODY = OrganizationKind.AUTHORIZED_BODY
TLPS = (None, "clear", "green", "amber", "amber+strict", "red")
PARTIES = ("KAZ", "RUS", "BLR")
BODIES = {"KAZ": "KAZ/KZ-CERT", "RUS": "RUS/RU-CERT", "BLR": "BLR/BY-CERT"}


def reader(party: str | None, role: Role = Role.ANALYST,
           state: PartyState | None = PartyState.IN_FORCE,
           kind: OrganizationKind = BODY) -> Reader:
    return Reader(role, kind, party, BODIES.get(party or ""), state)


DEPOSITARY = Reader(Role.DEPOSITARY, OrganizationKind.DEPOSITARY, None, None, None)


def marking(tlp: str | None, *, parties: tuple[str, ...] = (), bodies: tuple[str, ...] = (),
            owner: str | None = None, allowed: tuple[str, ...] = ()) -> Marking:
    return Marking(tlp, frozenset(parties), frozenset(bodies), owner, frozenset(allowed),
                   "KAZ", BODIES["KAZ"])


# (reader, marking, expected verdict on read endpoints), written out from the rules.
TABLE: list[tuple[str, Reader, Marking, bool]] = [
    ("open to every bound party", reader("BLR"), marking("green"), True),
    ("clear to every bound party", reader("BLR"), marking("clear"), True),
    ("unmarked counts as green", reader("BLR"), marking(None), True),
    ("withdrawing parties are still bound", reader("BLR", state=PartyState.WITHDRAWING),
     marking("green"), True),
    ("withdrawn parties read nothing", reader("BLR", state=PartyState.WITHDRAWN),
     marking("clear"), False),
    ("pending parties read nothing", reader("BLR", state=PartyState.PENDING),
     marking("clear"), False),
    ("signatories read nothing", reader("BLR", state=PartyState.SIGNATORY),
     marking("clear"), False),
    ("non-parties read nothing", reader("BLR", state=PartyState.NOT_PARTY),
     marking("clear"), False),
    ("the producer's own party withdrawn reads nothing",
     reader("KAZ", state=PartyState.WITHDRAWN), marking("red"), False),
    ("certification bodies read nothing",
     reader("BLR", Role.CERTIFIER, kind=OrganizationKind.CERTIFICATION_BODY),
     marking("clear"), False),
    ("readers read", reader("BLR", Role.READER), marking("green"), True),
    ("amber: unnamed party reads nothing", reader("BLR"), marking("amber", parties=("RUS",)),
     False),
    ("amber: named party reads", reader("RUS"), marking("amber", parties=("RUS",)), True),
    ("amber: the producer's party reads", reader("KAZ", Role.READER), marking("amber"), True),
    ("amber+strict: named body reads", reader("RUS"),
     marking("amber+strict", bodies=("RUS/RU-CERT",)), True),
    ("red: another body of the named body's party does not",
     Reader(Role.ANALYST, BODY, "RUS", "RUS/RU-OTHER", PartyState.IN_FORCE),
     marking("red", bodies=("RUS/RU-CERT",)), False),
    ("red: another Party's account named like the body does not",
     Reader.of(Principal(7, "x", Role.ANALYST, BODY, "BLR", "RU-CERT"), PartyState.IN_FORCE),
     marking("red", bodies=("RUS/RU-CERT",)), False),
    ("restricted: allowed party reads", reader("RUS"),
     marking("green", owner="KAZ", allowed=("RUS",)), True),
    ("restricted: other party does not, even green", reader("BLR"),
     marking("green", owner="KAZ", allowed=("RUS",)), False),
    ("restricted narrows amber: named but not allowed", reader("BLR"),
     marking("amber", parties=("BLR",), owner="KAZ", allowed=("RUS",)), False),
    ("restricted does not widen amber: allowed but not named", reader("RUS"),
     marking("amber", owner="KAZ", allowed=("RUS",)), False),
    ("depositary reads green", DEPOSITARY, marking("green"), True),
    ("depositary reads unmarked", DEPOSITARY, marking(None), True),
    ("depositary does not read amber addressed to it by nobody", DEPOSITARY,
     marking("amber"), False),
    ("depositary does not read restricted", DEPOSITARY,
     marking("clear", owner="KAZ", allowed=("RUS",)), False),
]


@pytest.mark.parametrize(("case", "who", "what", "verdict"), TABLE, ids=[t[0] for t in TABLE])
@pytest.mark.parametrize("endpoint", sorted(policy.READ_ENDPOINTS))
def test_read_table(case: str, who: Reader, what: Marking, verdict: bool,
                    endpoint: Endpoint) -> None:
    assert policy.decide(who, what, endpoint) is verdict
    assert policy.compiled_visible(policy.gates(what), policy.scope(who)) is verdict


DELETE_TABLE = [
    ("producer's analyst deletes", reader("KAZ"), True),
    ("producer's party-admin deletes", reader("KAZ", Role.PARTY_ADMIN), True),
    ("producer's reader does not", reader("KAZ", Role.READER), False),
    ("another party does not", reader("RUS"), False),
    ("producer withdrawn does not", reader("KAZ", state=PartyState.WITHDRAWN), False),
    ("producer withdrawing still does", reader("KAZ", state=PartyState.WITHDRAWING), True),
    ("depositary does not", DEPOSITARY, False),
]


@pytest.mark.parametrize(("case", "who", "verdict"), DELETE_TABLE,
                         ids=[t[0] for t in DELETE_TABLE])
def test_delete_table(case: str, who: Reader, verdict: bool) -> None:
    assert policy.decide(who, marking("green"), Endpoint.DELETE) is verdict


# --- every combination ---------------------------------------------------------------------------

ALL_READERS = [DEPOSITARY] + [
    Reader(role, kind, party, f"{party}/{name}" if party and name else None, state)
    for role, kind, party, name, state in itertools.product(
        Role, OrganizationKind, PARTIES, ("KZ-CERT", "RU-CERT", "BY-CERT", None),
        [*PartyState, None])
    if role in policy.READING_ROLES | {Role.CERTIFIER}
]
ALL_MARKINGS = [
    Marking(tlp, frozenset(rp), frozenset(rb), owner, frozenset(allowed), "KAZ", "KAZ/KZ-CERT")
    for tlp, rp, rb, owner, allowed in itertools.product(
        TLPS, ((), ("RUS",), ("RUS", "BLR")), ((), ("RUS/RU-CERT",), ("BLR/BY-CERT",)),
        (None, "KAZ", "RUS"), ((), ("RUS",), ("BLR",)))
]


def test_no_combination_leaks() -> None:
    checked = 0
    for who, what in itertools.product(ALL_READERS, ALL_MARKINGS):
        seen = policy.may_read(who, what)
        compiled = policy.compiled_visible(policy.gates(what), policy.scope(who))
        assert seen is compiled, (who, what)
        if not seen:
            continue
        checked += 1
        if who.organization_kind is OrganizationKind.DEPOSITARY:
            assert what.tlp in (None, "clear", "green") and what.restricted_owner is None
            continue
        # 1. only authorized bodies of bound Parties read
        assert who.organization_kind is BODY
        assert who.party_state in (PartyState.IN_FORCE, PartyState.WITHDRAWING)
        # 2. closed TLP reaches only the producer's Party and the named recipients
        if what.tlp in ("amber", "amber+strict", "red"):
            assert (who.party == what.producer_party or who.party in what.recipient_parties
                    or (who.body in what.recipient_bodies
                        and who.body.startswith(f"{who.party}/")))
        # 3. a restricted-access marking reaches only its owner, allowed and producer Parties
        if what.restricted_owner is not None:
            assert who.party in {what.restricted_owner, what.producer_party,
                                 *what.restricted_allowed}
    assert checked > 1000
    assert len(ALL_READERS) * len(ALL_MARKINGS) > 50_000


def test_writing_needs_a_bound_party_and_a_writing_role() -> None:
    for who in ALL_READERS:
        expected = (who.organization_kind is BODY and who.role in (Role.ANALYST, Role.PARTY_ADMIN)
                    and who.party_state in (PartyState.IN_FORCE, PartyState.WITHDRAWING))
        assert policy.may_write(who) is expected


def test_body_names_cannot_forge_gate_tokens() -> None:
    forged = Reader(Role.ANALYST, BODY, "BLR", "X|P:RUS", PartyState.IN_FORCE)
    what = marking("amber", parties=("RUS",))
    assert policy.may_read(forged, what) is False
    assert policy.compiled_visible(policy.gates(what), policy.scope(forged)) is False


def principal(role: Role, party: str | None, kind: OrganizationKind = BODY) -> Principal:
    return Principal(1, "x", role, kind, party, BODIES.get(party or ""))


def test_account_level_exchange_actions() -> None:
    admin = principal(Role.PARTY_ADMIN, "KAZ")
    depositary = principal(Role.DEPOSITARY, None, OrganizationKind.DEPOSITARY)
    bound = PartyState.IN_FORCE
    assert exchange_allowed(admin, ExchangeAction.MANAGE_COLLECTIONS, bound, party="KAZ")
    assert not exchange_allowed(admin, ExchangeAction.MANAGE_COLLECTIONS, bound, party="RUS")
    assert not exchange_allowed(admin, ExchangeAction.MANAGE_COLLECTIONS, PartyState.WITHDRAWN,
                                party="KAZ")
    assert exchange_allowed(depositary, ExchangeAction.MANAGE_COLLECTIONS, None, party="KAZ")
    assert exchange_allowed(depositary, ExchangeAction.READ_OBJECTS, None)
    assert not exchange_allowed(depositary, ExchangeAction.ADD_OBJECTS, None)
    assert not exchange_allowed(depositary, ExchangeAction.READ_AUDIT, None, party="KAZ")
    assert exchange_allowed(admin, ExchangeAction.READ_AUDIT, bound, party="KAZ")
    assert not exchange_allowed(principal(Role.ANALYST, "KAZ"), ExchangeAction.READ_AUDIT,
                                bound, party="KAZ")
    with pytest.raises(PermissionDenied) as refusal:
        require_exchange(principal(Role.READER, "KAZ"), ExchangeAction.ADD_OBJECTS, bound)
    assert refusal.value.article == "Art. 6"


# --- date_added by audience ---------------------------------------------------------------------

GREEN = policy.Gates(None, None, True)
RED_KAZ = policy.Gates("|P:KAZ|", None, False)
AMBER_RUS = policy.Gates("|P:KAZ|P:RUS|", None, False)


def _seen_by(audiences: list[policy.Gates], audience: policy.Gates, seed: int) -> list[int]:
    stamps = policy.stamps_by_audience(audiences, 1_000_000, random.Random(seed))
    return [s for a, s in zip(audiences, stamps, strict=True) if a == audience]


@pytest.mark.parametrize("hidden", [0, 1, 3, 15, 40])
def test_what_a_reader_sees_of_date_added_does_not_count_what_it_cannot_see(hidden: int) -> None:
    # Two GREEN rows with `hidden` RED rows between them: a GREEN-only reader sees the same
    # stamps whatever `hidden` is (with the same draw of offsets), so their gap counts nothing.
    alone = _seen_by([GREEN, GREEN], GREEN, seed=7)
    mixed = _seen_by([GREEN, *[RED_KAZ] * hidden, GREEN, AMBER_RUS], GREEN, seed=7)
    assert alone == mixed
    assert mixed[1] - mixed[0] == policy.AUDIENCE_STRIDE


def test_stamps_are_unique_increasing_per_audience_and_never_below_the_start() -> None:
    audiences = [GREEN, RED_KAZ, GREEN, AMBER_RUS, RED_KAZ, GREEN] * 50
    stamps = policy.stamps_by_audience(audiences, 500, random.Random(1))
    assert len(set(stamps)) == len(stamps)
    assert min(stamps) >= 500
    for audience in (GREEN, RED_KAZ, AMBER_RUS):
        mine = [s for a, s in zip(audiences, stamps, strict=True) if a == audience]
        assert mine == sorted(mine)
        assert {b - a for a, b in itertools.pairwise(mine)} == {policy.AUDIENCE_STRIDE}


def test_an_audience_offset_is_drawn_not_its_place_in_the_envelope() -> None:
    # Were offsets given in order of first appearance, a reader whose rows start at offset 2
    # would know two other audiences came first.
    first = {_seen_by([RED_KAZ, AMBER_RUS, GREEN], GREEN, seed)[0] % policy.AUDIENCE_STRIDE
             for seed in range(200)}
    assert len(first) == policy.AUDIENCE_STRIDE


def test_more_audiences_than_the_stride_widen_it_and_stay_unique() -> None:
    audiences = [policy.Gates(f"|P:X{i:02d}|", None, False) for i in range(20)] * 3
    stamps = policy.stamps_by_audience(audiences, 0, random.Random(3))
    assert len(set(stamps)) == len(stamps)
    first = audiences[0]
    mine = [s for a, s in zip(audiences, stamps, strict=True) if a == first]
    assert {b - a for a, b in itertools.pairwise(mine)} == {32}

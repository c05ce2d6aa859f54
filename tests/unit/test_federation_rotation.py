"""Key rotation on the roster (issue 14, item 1; decision 0014, "Rotation"): a Party's node asks
for a new key with a request signed by the old key and the new; the depositary's node rotates
the trust anchor with a transition roster signed by the old anchor and the new, which a node
takes only from the anchor it holds (a skipped transition, a forged one or a replayed older
roster is refused); checkpoints an old anchor signed stay verifiable until its end."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation.roster import (
    AnchorSpan,
    NodeDescriptor,
    Roster,
    SignedRoster,
    admit,
    anchor_for,
    anchor_spans,
    empty_roster,
    newer,
    revoke,
    roster_from_json,
    roster_statement,
    roster_to_json,
    rotate_anchor,
    sign_descriptor,
    sign_roster,
    sign_rotation,
    sign_transition,
    speaker,
    verify_roster,
    verify_roster_from,
    verify_rotation,
)
from kelisim.domain.federation.signing import NodeKey


def key(n: int) -> NodeKey:
    return NodeKey.from_private_bytes(bytes([n]) * 32)


ANCHOR_A, ANCHOR_B, ANCHOR_C, KAZ_1, KAZ_2, RUS_1, MALLORY = (key(n) for n in range(21, 28))
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
D = date.fromisoformat


def descriptor(k: NodeKey, party: str, valid_from: str) -> NodeDescriptor:
    return NodeDescriptor(party, f"https://{party.lower()}.example", k.public_key, D(valid_from))


def base() -> Roster:
    """Anchor A from 1 January; KAZ_1 from 10 January, RUS_1 from 12 January."""
    roster = empty_roster(ANCHOR_A.public_key, "https://dep.example", D("2026-01-01"), T0)
    roster = admit(roster, descriptor(KAZ_1, "KAZ", "2026-01-10"), D("2026-01-10"))
    return admit(roster, descriptor(RUS_1, "RUS", "2026-01-12"), D("2026-01-12"))


def rotation(new: NodeKey, previous: NodeKey, party: str = "KAZ",
             valid_from: str = "2026-03-10") -> dict[str, Any]:
    return sign_rotation(sign_descriptor(descriptor(new, party, valid_from), new), previous)


# --- a Party's node rotates its key --------------------------------------------------------

def rotated() -> Roster:
    """KAZ_1 rotated to KAZ_2 (asked on 1 March, from 10 March), as the depositary admits it."""
    roster = base()
    new, _ = verify_rotation(rotation(KAZ_2, KAZ_1), roster, D("2026-03-01"))
    return admit(roster, new, D("2026-03-01"))


@pytest.mark.parametrize(
    ("who", "day", "speaks"),
    [
        pytest.param(KAZ_1, "2026-01-10", True, id="old-key-from-its-first-day"),
        pytest.param(KAZ_1, "2026-03-09", True, id="old-key-until-the-day-before"),
        pytest.param(KAZ_1, "2026-03-10", False, id="old-key-ends-on-the-new-ones-first-day"),
        pytest.param(KAZ_2, "2026-03-09", False, id="new-key-not-before-its-first-day"),
        pytest.param(KAZ_2, "2026-03-10", True, id="new-key-from-its-first-day"),
        pytest.param(KAZ_2, "2027-01-01", True, id="new-key-open-ended"),
        pytest.param(RUS_1, "2026-03-10", True, id="another-party-untouched"),
    ],
)
def test_which_key_speaks_on_which_day_after_a_rotation(who: NodeKey, day: str,
                                                        speaks: bool) -> None:
    entry = speaker(rotated(), who.key_id, D(day))
    assert (entry is not None) is speaks
    if entry is not None:
        assert entry.party == ("RUS" if who is RUS_1 else "KAZ")


def test_the_old_key_keeps_its_span_on_every_later_roster() -> None:
    later = revoke(rotated(), RUS_1.key_id, D("2026-04-01"))
    old = next(e for e in later.entries if e.key_id == KAZ_1.key_id)
    assert (old.valid_from, old.valid_until, old.revoked_on) == (D("2026-01-10"),
                                                                 D("2026-03-10"), None)


def test_a_rotation_request_is_signed_by_the_old_key_and_the_new() -> None:
    request = rotation(KAZ_2, KAZ_1)
    new, previous = verify_rotation(request, base(), D("2026-03-01"))
    assert (new.public_key, previous.key_id, previous.party) == (KAZ_2.public_key, KAZ_1.key_id,
                                                                 "KAZ")


def _resigned_by(request: dict[str, Any], k: NodeKey) -> dict[str, Any]:
    forged = rotation(KAZ_2, k)
    forged["rotation"]["previous_key"] = request["rotation"]["previous_key"]
    return forged


def _other_descriptor(request: dict[str, Any]) -> dict[str, Any]:
    """The old key's signature moved onto another new key's request."""
    other = rotation(MALLORY, KAZ_1)
    other["rotation"] = request["rotation"]
    return other


@pytest.mark.parametrize(
    ("change", "on", "error", "says"),
    [
        pytest.param(lambda r: rotation(KAZ_2, MALLORY), "2026-03-01", UntrustedSignature,
                     "cannot vouch", id="a-stranger-vouches"),
        pytest.param(lambda r: rotation(KAZ_2, RUS_1), "2026-03-01", UntrustedSignature,
                     "cannot vouch", id="another-partys-key-vouches"),
        pytest.param(lambda r: _resigned_by(r, MALLORY), "2026-03-01", UntrustedSignature,
                     "not signed by the key it replaces", id="old-key-signature-forged"),
        pytest.param(_other_descriptor, "2026-03-01", UntrustedSignature,
                     "not signed by the key it replaces", id="old-signature-for-another-key"),
        pytest.param(lambda r: {k: v for k, v in r.items() if k != "rotation"}, "2026-03-01",
                     FederationError, "not a rotation", id="no-old-key-signature"),
        pytest.param(lambda r: {**r, "signature": rotation(MALLORY, KAZ_1)["signature"]},
                     "2026-03-01", UntrustedSignature, "not signed by the key it names",
                     id="new-key-not-held"),
        pytest.param(lambda r: r, "2026-01-09", UntrustedSignature, "cannot vouch",
                     id="old-key-not-yet-speaking"),
    ],
)
def test_a_rotation_request_is_refused(change: Any, on: str, error: type[Exception],
                                       says: str) -> None:
    with pytest.raises(error, match=says):
        verify_rotation(change(rotation(KAZ_2, KAZ_1)), base(), D(on))


def test_a_revoked_key_cannot_vouch_for_a_successor() -> None:
    compromised = revoke(base(), KAZ_1.key_id, D("2026-02-01"))
    with pytest.raises(UntrustedSignature, match="cannot vouch"):
        verify_rotation(rotation(KAZ_2, KAZ_1), compromised, D("2026-03-01"))
    assert verify_rotation(rotation(KAZ_2, KAZ_1), compromised, D("2026-01-31"))


def test_a_rotation_names_a_new_key() -> None:
    with pytest.raises(FederationError, match="new key"):
        rotation(KAZ_1, KAZ_1)


# --- the depositary's node rotates the trust anchor ----------------------------------------

T_AB = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
T_BC = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def transition(roster: Roster, old: NodeKey, new: NodeKey, on: str,
               at: datetime) -> SignedRoster:
    return sign_transition(rotate_anchor(roster, new.public_key, "https://dep.example", D(on),
                                         issued_at=at), new, old)


def chain() -> dict[str, SignedRoster]:
    """Serials: A signs 3; A to B (4); B signs 5; B to C (6); C signs 7."""
    r3 = base()
    ab = transition(r3, ANCHOR_A, ANCHOR_B, "2026-04-01", T_AB)
    r5 = admit(ab.roster, descriptor(KAZ_2, "KAZ", "2026-04-10"), D("2026-04-05"))
    bc = transition(r5, ANCHOR_B, ANCHOR_C, "2026-05-01", T_BC)
    r7 = revoke(bc.roster, RUS_1.key_id, D("2026-05-02"))
    return {"r3": sign_roster(r3, ANCHOR_A), "ab": ab, "r5": sign_roster(r5, ANCHOR_B),
            "bc": bc, "r7": sign_roster(r7, ANCHOR_C)}


CHAIN = chain()


def test_a_transition_is_signed_by_the_old_anchor_and_the_new_and_round_trips() -> None:
    ab = CHAIN["ab"]
    assert (ab.roster.serial, ab.roster.previous_key) == (4, ANCHOR_A.public_key)
    assert ab.roster.depositary_key == ANCHOR_B.public_key
    again = roster_from_json(roster_to_json(ab))
    assert again == ab
    assert verify_roster(again, ANCHOR_B.public_key) == ab.roster
    old_anchor = next(e for e in ab.roster.entries if e.key_id == ANCHOR_A.key_id)
    assert old_anchor.valid_until == D("2026-04-01")


def test_a_roster_that_is_no_transition_keeps_the_bytes_it_was_signed_with() -> None:
    statement = roster_statement(CHAIN["r3"].roster)
    assert "previous_key" not in statement and "previous_key_id" not in statement
    assert "previous_signature" not in roster_to_json(CHAIN["r3"])


def _tamper(name: str, change: Any) -> Any:
    document = copy.deepcopy(roster_to_json(CHAIN[name]))
    change(document)
    return document


@pytest.mark.parametrize(
    ("held", "documents", "outcome"),
    [
        pytest.param("A", ["ab"], "B", id="the-transition-from-the-held-anchor"),
        pytest.param("A", ["ab", "r5"], "B", id="then-rosters-of-the-new-anchor"),
        pytest.param("A", ["ab", "bc", "r7"], "C", id="two-transitions-in-order"),
        pytest.param("B", ["r5"], "B", id="a-roster-of-the-held-anchor"),
        pytest.param("A", ["bc"], "missing", id="a-skipped-transition"),
        pytest.param("A", ["r5"], "not the one this node trusts",
                     id="a-roster-of-another-anchor"),
        pytest.param("B", ["r3"], "not the one this node trusts",
                     id="a-roster-of-the-old-anchor-after-the-transition"),
        pytest.param("C", ["ab"], "not the one this node trusts",
                     id="an-old-transition-after-the-next"),
    ],
)
def test_which_rosters_a_node_holding_an_anchor_takes(held: str, documents: list[str],
                                                      outcome: str) -> None:
    keys = {"A": ANCHOR_A, "B": ANCHOR_B, "C": ANCHOR_C}
    anchor = keys[held].public_key
    try:
        for name in documents:
            anchor = verify_roster_from(roster_from_json(roster_to_json(CHAIN[name])),
                                        anchor).depositary_key
    except UntrustedSignature as refused:
        assert outcome in str(refused)
        return
    assert anchor == keys[outcome].public_key


def _sign_only_new(document: dict[str, Any]) -> None:
    document["previous_signature"] = MALLORY.sign(document["roster"])


def _new_signature_forged(document: dict[str, Any]) -> None:
    document["signature"] = MALLORY.sign(document["roster"])


def _previous_signature_dropped(document: dict[str, Any]) -> None:
    document["previous_signature"] = document["signature"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_sign_only_new, id="old-anchor-signature-forged"),
        pytest.param(_previous_signature_dropped, id="old-anchor-signature-replaced-by-new"),
        pytest.param(_new_signature_forged, id="new-anchor-signature-forged"),
        pytest.param(lambda d: d["roster"].update(serial=99), id="serial-altered"),
        pytest.param(lambda d: d["roster"]["entries"].pop(2), id="entry-removed"),
    ],
)
def test_a_forged_or_altered_transition_is_refused(change: Any) -> None:
    document = _tamper("ab", change)
    with pytest.raises(UntrustedSignature):
        verify_roster_from(roster_from_json(document), ANCHOR_A.public_key)


def test_a_transition_by_a_stranger_naming_the_held_anchor_is_refused() -> None:
    """Mallory names anchor A as the previous anchor of her own key: A never signed it."""
    fake = rotate_anchor(CHAIN["r3"].roster, MALLORY.public_key, "https://evil.example",
                         D("2026-04-01"), issued_at=T_AB)
    forged = SignedRoster(fake, MALLORY.sign(roster_statement(fake)),
                          MALLORY.sign(roster_statement(fake)))
    with pytest.raises(UntrustedSignature, match="forged"):
        verify_roster_from(forged, ANCHOR_A.public_key)
    with pytest.raises(FederationError, match="previous anchor key"):
        sign_transition(fake, MALLORY, MALLORY)


def test_a_transition_is_signed_with_sign_transition_not_sign_roster() -> None:
    with pytest.raises(FederationError, match="sign_transition"):
        sign_roster(CHAIN["ab"].roster, ANCHOR_B)


def test_a_replayed_older_roster_never_wins() -> None:
    assert newer(CHAIN["ab"].roster, CHAIN["r5"].roster)
    assert not newer(CHAIN["r5"].roster, CHAIN["ab"].roster)
    assert not newer(CHAIN["ab"].roster, CHAIN["ab"].roster)


@pytest.mark.parametrize(
    ("on", "new", "says"),
    [
        pytest.param("2026-01-01", ANCHOR_B, "later day", id="same-day-as-the-anchors-first"),
        pytest.param("2026-04-01", KAZ_1, "already on the roster", id="a-key-already-there"),
    ],
)
def test_an_anchor_rotation_is_refused(on: str, new: NodeKey, says: str) -> None:
    with pytest.raises(FederationError, match=says):
        rotate_anchor(base(), new.public_key, "https://dep.example", D(on))


def test_only_the_current_anchor_is_kept_out_of_revocation() -> None:
    after = CHAIN["ab"].roster
    with pytest.raises(FederationError, match="cannot be revoked"):
        revoke(after, ANCHOR_B.key_id, D("2026-04-02"))
    revoked = revoke(after, ANCHOR_A.key_id, D("2026-03-20"))
    assert speaker(revoked, ANCHOR_A.key_id, D("2026-03-20")) is None


# --- which anchor verifies a checkpoint issued when ----------------------------------------

SPANS = anchor_spans(r.roster for r in CHAIN.values())
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("signer", "issued_at", "verifies"),
    [
        pytest.param(ANCHOR_A, T_AB - H, True, id="old-anchor-before-its-transition"),
        pytest.param(ANCHOR_A, T_AB, True, id="old-anchor-at-its-transitions-instant"),
        pytest.param(ANCHOR_A, T_AB + timedelta(microseconds=1), False,
                     id="old-anchor-just-after-its-transition"),
        pytest.param(ANCHOR_A, T_BC, False, id="old-anchor-long-after"),
        pytest.param(ANCHOR_B, T_AB + H, True, id="middle-anchor-between"),
        pytest.param(ANCHOR_B, T_BC + H, False, id="middle-anchor-after-the-next"),
        pytest.param(ANCHOR_C, T_BC + H, True, id="current-anchor"),
        pytest.param(ANCHOR_C, T_BC + 1000 * H, True, id="current-anchor-open-ended"),
        pytest.param(MALLORY, T0, False, id="never-an-anchor"),
    ],
)
def test_which_anchor_verifies_a_checkpoint_issued_when(signer: NodeKey, issued_at: datetime,
                                                        verifies: bool) -> None:
    if verifies:
        assert anchor_for(SPANS, signer.key_id, issued_at) == signer.public_key
    else:
        with pytest.raises(UntrustedSignature):
            anchor_for(SPANS, signer.key_id, issued_at)


def test_a_revoked_old_anchor_ends_at_the_start_of_its_revocation_day() -> None:
    revoked = revoke(CHAIN["ab"].roster, ANCHOR_A.key_id, D("2026-03-20"))
    spans = anchor_spans([CHAIN["r3"].roster, CHAIN["ab"].roster, revoked])
    assert spans[ANCHOR_A.key_id] == AnchorSpan(
        ANCHOR_A.public_key, datetime(2026, 3, 20, tzinfo=UTC) - timedelta(microseconds=1))
    with pytest.raises(UntrustedSignature):
        anchor_for(spans, ANCHOR_A.key_id, datetime(2026, 3, 20, tzinfo=UTC))
    assert anchor_for(spans, ANCHOR_A.key_id, datetime(2026, 3, 19, 23, 59, tzinfo=UTC))
    assert spans[ANCHOR_B.key_id].ends_at is None

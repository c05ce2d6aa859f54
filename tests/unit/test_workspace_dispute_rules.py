"""Disputes' rules as tables (issue 15 item 5; Art. 12, 13-15): who sees a dispute and how much,
who opens it and with whom, who logs and settles, sharing only when every Party concerned
consented; and the fold of a dispute's events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kelisim.domain.access import DisputeView, dispute_view
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import InvalidInput, KelisimError, PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace import disputes as d
from kelisim.domain.workspace.consultations import Consultation
from kelisim.domain.workspace.project import Event, EventKind

D = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 12, tzinfo=UTC)
STATES = {"KAZ": PartyState.IN_FORCE, "RUS": PartyState.IN_FORCE,
          "BLR": PartyState.WITHDRAWING, "ARM": PartyState.SIGNATORY,
          "UZB": PartyState.WITHDRAWN}
BODY, CERT, DEP = (OrganizationKind.AUTHORIZED_BODY, OrganizationKind.CERTIFICATION_BODY,
                   OrganizationKind.DEPOSITARY)


def who(role: Role, kind: OrganizationKind, party: str | None) -> Principal:
    return Principal(1, "x", role, kind, party)


# Who sees a dispute between KAZ and RUS, before and after both consented to share (Art. 12).
@pytest.mark.parametrize(("reader", "not_shared", "shared"), [
    (who(Role.ANALYST, BODY, "KAZ"), DisputeView.FULL, DisputeView.FULL),
    (who(Role.PARTY_ADMIN, BODY, "RUS"), DisputeView.FULL, DisputeView.FULL),
    (who(Role.READER, BODY, "KAZ"), DisputeView.FULL, DisputeView.FULL),  # its body's reader
    (who(Role.ANALYST, BODY, "BLR"), DisputeView.NONE, DisputeView.SHARED),  # not concerned
    (who(Role.READER, BODY, "ARM"), DisputeView.NONE, DisputeView.SHARED),
    (who(Role.CERTIFIER, CERT, "KAZ"), DisputeView.NONE, DisputeView.SHARED),  # not its body
    (who(Role.DEPOSITARY, DEP, None), DisputeView.NONE, DisputeView.SHARED),  # no part (Art. 12)
    (who(Role.READER, DEP, None), DisputeView.NONE, DisputeView.SHARED),
])
def test_who_sees_a_dispute(reader: Principal, not_shared: DisputeView,
                            shared: DisputeView) -> None:
    concerned = frozenset({"KAZ", "RUS"})
    assert dispute_view(reader, concerned, False) is not_shared
    assert dispute_view(reader, concerned, True) is shared


@pytest.mark.parametrize(("concerned", "refused"), [
    (["RUS"], None),
    (["rus", " BLR "], None),  # withdrawing: bound until its date (Art. 15)
    (["RUS", "KAZ"], None),  # naming oneself too is the same dispute
    ([], InvalidInput),  # a dispute is between two or more
    (["KAZ"], InvalidInput),
    (["ARM"], RuleViolation),  # a signatory only
    (["UZB"], RuleViolation),  # withdrawn
    (["GEO"], RuleViolation),  # never a Party
])
def test_the_parties_concerned(concerned: list[str], refused: type[KelisimError] | None) -> None:
    if refused is None:
        parties = d.check_concerned("KAZ", concerned, STATES, D)
        assert "KAZ" in parties and len(parties) >= 2 and list(parties) == sorted(parties)
    else:
        with pytest.raises(refused) as caught:
            d.check_concerned("KAZ", concerned, STATES, D)
        assert "Art. 12" in str(caught.value.article)


@pytest.mark.parametrize(("text", "ok"), [("application", True), (" Interpretation ", True),
                                           ("both", False), ("", False)])
def test_the_matter_is_application_or_interpretation(text: str, ok: bool) -> None:
    if ok:
        assert d.parse_matter(text).value == text.strip().lower()
    else:
        with pytest.raises(InvalidInput):
            d.parse_matter(text)


def dispute(**changes: object) -> d.Dispute:
    found = d.Dispute(id="d", subject="Art. 6 marking", matter=d.Matter.INTERPRETATION,
                      articles=(6,), opener="KAZ", concerned=("KAZ", "RUS"), opened_at=AT)
    for key, value in changes.items():
        setattr(found, key, value)
    return found


SETTLED = d.Outcome(d.Means.NEGOTIATIONS, "Agreed reading", "RUS", D)
CONSULTED = Consultation(id="c", subject="s", articles=(6,), requester="RUS", invited=("KAZ",),
                         requested_at=AT)
ELSEWHERE = Consultation(id="c2", subject="s", articles=(6,), requester="RUS",
                         invited=("BLR",), requested_at=AT)


@pytest.mark.parametrize(("found", "party", "held_on", "consultation", "refused"), [
    (dispute(), "KAZ", D, None, None),
    (dispute(), "RUS", D, CONSULTED, None),
    (dispute(), "BLR", D, None, PermissionDenied),  # not concerned
    (dispute(outcome=SETTLED), "KAZ", D, None, RuleViolation),  # closed
    (dispute(), "KAZ", D + timedelta(days=1), None, InvalidInput),  # not held yet
    (dispute(), "KAZ", D - timedelta(days=1), None, InvalidInput),  # before the dispute
    (dispute(), "KAZ", D, ELSEWHERE, InvalidInput),  # a consultation KAZ took no part in
])
def test_who_logs_consultations_and_negotiations(
        found: d.Dispute, party: str, held_on: date, consultation: Consultation | None,
        refused: type[KelisimError] | None) -> None:
    if refused is None:
        d.check_log_entry(found, party, held_on, D, consultation)
    else:
        with pytest.raises(refused):
            d.check_log_entry(found, party, held_on, D, consultation)


@pytest.mark.parametrize(("found", "party", "refused"), [
    (dispute(), "RUS", None),
    (dispute(), "BLR", PermissionDenied),
    (dispute(outcome=SETTLED), "KAZ", RuleViolation),  # once only
])
def test_the_outcome_is_recorded_once_by_a_party_concerned(
        found: d.Dispute, party: str, refused: type[KelisimError] | None) -> None:
    if refused is None:
        d.check_outcome(found, party)
    else:
        with pytest.raises(refused):
            d.check_outcome(found, party)


def event(position: int, kind: EventKind, party: str, **body: object) -> Event:
    return Event(id=f"e{position}", record_id="d", position=position, kind=kind,
                 origin_party=party, actor_account=1, actor_name="n",
                 at=AT + timedelta(days=position), body=body)


def test_shared_only_when_every_party_concerned_consented_and_without_the_log() -> None:
    events = [event(1, EventKind.DISPUTE_OPENED, "KAZ", subject="s", matter="application",
                    articles=[6, 12], concerned=["BLR", "KAZ", "RUS"]),
              event(2, EventKind.DISPUTE_LOGGED, "RUS", entry_id="l", means="consultations",
                    held_on="2026-11-26", summary="met", consultation_id=None),
              event(3, EventKind.DISPUTE_SHARE_CONSENTED, "KAZ"),
              event(4, EventKind.DISPUTE_SHARE_CONSENTED, "RUS")]
    found = d.fold(events)
    assert not found.shared()
    with pytest.raises(RuleViolation, match="already consented"):
        d.check_share_consent(found, "KAZ")
    found = d.fold([*events, event(5, EventKind.DISPUTE_SHARE_CONSENTED, "BLR"),
                    event(6, EventKind.DISPUTE_SETTLED, "BLR", means="negotiations",
                          text="Read together")])
    assert found.shared() and found.outcome is not None
    full, shared = d.view(found, DisputeView.FULL), d.view(found, DisputeView.SHARED)
    assert full["log"][0]["summary"] == "met" and full["status"] == "settled"
    assert "log" not in shared and "share_consents" not in shared
    assert shared["outcome"] == {"means": "negotiations", "text": "Read together",
                                 "party": "BLR", "on": "2026-12-01"}
    assert shared["concerned"] == ["BLR", "KAZ", "RUS"] and shared["articles"] == [6, 12]

"""The rules of Art. 8, 13, 14 and 15 as tables, derived from issue 3 ("The rules"), not the code.

Every history below is written as the depositary would receive it: JSON entries in ledger order
(ids 1, 2, 3, ...), parsed by `parse_instrument`, corrected by `resolve_corrections`, replayed with
the real CIS membership data (`kelisim.domain.states.is_cis_state`).

The running example: KAZ, RUS, BLR, ARM and TJK sign on 20 November 2013; KAZ notifies on
1 March 2014, RUS on 2 May 2014 and BLR (the third) on 1 March 2015, so the Agreement enters into
force on 31 March 2015.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from kelisim.domain.errors import Conflict, InvalidInput, KelisimError, NotFound, RuleViolation
from kelisim.domain.instruments import RecordedEntry, parse_instrument
from kelisim.domain.states import is_cis_state
from kelisim.domain.treaty import (
    SIGNED_ON,
    AgreementStatus,
    EffectiveEntry,
    PartyStatus,
    check_new_dates,
    replay,
    resolve_corrections,
    status_on,
)

RECORDED_AT = datetime(2020, 1, 1, tzinfo=UTC)
LIST_A = [{"name": "Ministry A"}]
LIST_B = [{"name": "Agency B"}]
LIST_C = [{"name": "Committee C"}]
LIST_D = [{"name": "Service D"}]
EIF = date(2015, 3, 31)

Body = dict[str, Any]


# -- building histories ---------------------------------------------------------------------------

def sig(party: str, on: str = "2013-11-20") -> Body:
    return {"kind": "signature", "party": party, "date": on}


def notif(party: str, received: str, bodies: list[Body] | None = LIST_A) -> Body:
    body: Body = {"kind": "notification", "party": party, "received": received}
    if bodies is not None:
        body["authorized_bodies"] = bodies
    return body


def acc(party: str, received: str, bodies: list[Body] | None = LIST_A) -> Body:
    body: Body = {"kind": "accession", "party": party, "received": received}
    if bodies is not None:
        body["authorized_bodies"] = bodies
    return body


def change(party: str, changed: str, received: str, bodies: list[Body] = LIST_B) -> Body:
    return {"kind": "authorized_bodies_change", "party": party, "changed": changed,
            "received": received, "authorized_bodies": bodies}


def withdraw(party: str, received: str, withdrawal_date: str | None = None) -> Body:
    return {"kind": "withdrawal_notice", "party": party, "received": received,
            "withdrawal_date": withdrawal_date}


def correct(supersedes: int, **changes: Any) -> Body:
    return {"kind": "correction", "supersedes": supersedes, **changes}


def void(supersedes: int) -> Body:
    return {"kind": "correction", "supersedes": supersedes, "void": True}


SIGNED = [sig("KAZ"), sig("RUS"), sig("BLR"), sig("ARM"), sig("TJK")]          # ids 1-5
THREE = [*SIGNED, notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02"),
         notif("BLR", "2015-03-01")]                                            # ids 6-8
KAZ_NOTIFICATION, BLR_NOTIFICATION = 6, 8


def entries(history: list[Body]) -> list[RecordedEntry]:
    return [RecordedEntry(i, parse_instrument(body), RECORDED_AT)
            for i, body in enumerate(history, start=1)]


def effective(history: list[Body]) -> list[EffectiveEntry]:
    return resolve_corrections(entries(history))


def status(history: list[Body], on: str | date) -> AgreementStatus:
    return status_on(effective(history), _d(on), [], is_cis_state)


def party_on(history: list[Body], party: str, on: str | date) -> PartyStatus:
    found = status_on(effective(history), _d(on), [party], is_cis_state)
    return next(p for p in found.parties if p.party == party)


def flags_of(history: list[Body]) -> dict[int, tuple[Any, ...]]:
    return replay(effective(history), is_cis_state)[1]


def refusal(history: list[Body]) -> KelisimError:
    with pytest.raises(KelisimError) as caught:
        replay(effective(history), is_cis_state)
    return caught.value


def _d(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _opt(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


# -- Art. 13: entry into force --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("history", "expected"),
    [
        pytest.param(SIGNED, None, id="no-notification-no-entry-into-force"),
        pytest.param(THREE[:-1], None, id="two-notifications-are-not-enough"),
        pytest.param(THREE, "2015-03-31", id="third-notification-1-march-gives-31-march"),
        pytest.param([*SIGNED, notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02"),
                      notif("BLR", "2014-05-02")], "2014-06-01",
                     id="third-on-the-same-day-as-the-second"),
        pytest.param([*SIGNED, notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02"),
                      notif("BLR", "2016-02-01")], "2016-03-02",
                     id="third-in-a-leap-february"),
        pytest.param([*SIGNED, notif("BLR", "2015-03-01"), notif("ARM", "2016-01-01"),
                      notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02")], "2015-03-31",
                     id="third-by-receipt-date-not-by-ledger-order"),
        pytest.param([*THREE, notif("ARM", "2015-03-10"), notif("TJK", "2015-03-20")],
                     "2015-03-31", id="fourth-and-fifth-do-not-move-it"),
        pytest.param([*SIGNED, notif("KAZ", "2014-03-01"), notif("RUS", "2014-03-01"),
                      notif("BLR", "2014-03-01")], "2014-03-31",
                     id="three-on-one-day"),
    ],
)
def test_entry_into_force_is_30_days_after_the_third_notification(
        history: list[Body], expected: str | None) -> None:
    record, _ = replay(effective(history), is_cis_state)
    assert record.entry_into_force == _opt(expected)


@pytest.mark.parametrize(
    ("on", "in_force"),
    [
        pytest.param("2015-02-28", False, id="day-before-third-receipt"),
        pytest.param("2015-03-01", False, id="day-of-third-receipt"),
        pytest.param("2015-03-30", False, id="day-before-entry-into-force"),
        pytest.param("2015-03-31", True, id="day-of-entry-into-force"),
        pytest.param("2015-04-01", True, id="day-after-entry-into-force"),
    ],
)
def test_the_agreement_is_in_force_from_its_entry_into_force_date_inclusive(
        on: str, in_force: bool) -> None:
    assert status(THREE, on).in_force is in_force


def test_entry_into_force_is_unknown_on_a_date_before_the_third_notification() -> None:
    """The status on D uses only entries received on or before D: on 28 February 2015 the third
    notification has not arrived, so no entry-into-force date can be known yet."""
    before = status(THREE, "2015-02-28")
    assert before.entry_into_force is None
    assert before.notifications_received == 2
    assert status(THREE, "2015-03-01").entry_into_force == EIF


# -- Art. 13: dates of effect = max(entry into force, receipt + 30) -------------------------------

@pytest.mark.parametrize(
    ("history", "party", "expected"),
    [
        pytest.param(THREE, "KAZ", "2015-03-31", id="first-notifier-from-entry-into-force"),
        pytest.param(THREE, "RUS", "2015-03-31", id="second-notifier-from-entry-into-force"),
        pytest.param(THREE, "BLR", "2015-03-31", id="third-notifier-from-entry-into-force"),
        pytest.param([*THREE, notif("ARM", "2015-03-10")], "ARM", "2015-04-09",
                     id="fourth-before-entry-into-force-from-own-receipt-plus-30"),
        pytest.param([*THREE, notif("ARM", "2015-03-01")], "ARM", "2015-03-31",
                     id="fourth-on-the-third-s-day-from-entry-into-force"),
        pytest.param([*THREE, notif("ARM", "2015-03-31")], "ARM", "2015-04-30",
                     id="fourth-on-entry-into-force-day"),
        pytest.param([*THREE, notif("ARM", "2016-01-01")], "ARM", "2016-01-31",
                     id="fourth-long-after-entry-into-force"),
        pytest.param([*THREE, acc("UZB", "2015-06-01")], "UZB", "2015-07-01",
                     id="accession-from-own-receipt-plus-30"),
    ],
)
def test_a_partys_date_of_effect_is_the_later_of_entry_into_force_and_receipt_plus_30(
        history: list[Body], party: str, expected: str) -> None:
    assert party_on(history, party, "2020-01-01").in_force_from == date.fromisoformat(expected)


def test_same_day_notifications_count_in_ledger_order() -> None:
    """Two notifications received on the day that completes the count: the one recorded first in
    the ledger is the third; the other is the fourth. Both then take effect on entry into force."""
    history = [*SIGNED, notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02"),
               notif("ARM", "2015-03-01"), notif("BLR", "2015-03-01")]
    record, _ = replay(effective(history), is_cis_state)
    assert [party for _, party in record.notifiers] == ["KAZ", "RUS", "ARM", "BLR"]
    assert record.entry_into_force == EIF


def test_a_signature_counts_before_a_notification_received_the_same_day() -> None:
    """A signature is dated, not received; on its own day it precedes any receipt, whatever the
    order in which the depositary typed them in."""
    history = [notif("KAZ", "2014-03-01"), sig("KAZ", "2014-03-01")]
    assert party_on(history, "KAZ", "2014-03-01").state == "pending"


@pytest.mark.parametrize(
    ("history", "refused_entry"),
    [
        pytest.param([*THREE, notif("ARM", "2015-05-01"), withdraw("ARM", "2015-05-01")], None,
                     id="notification-then-withdrawal-same-day-accepted"),
        pytest.param([*THREE, withdraw("ARM", "2015-05-01"), notif("ARM", "2015-05-01")], 9,
                     id="withdrawal-recorded-before-the-notification-is-refused"),
    ],
)
def test_same_day_receipts_are_ordered_by_the_ledger(history: list[Body],
                                                     refused_entry: int | None) -> None:
    if refused_entry is None:
        replay(effective(history), is_cis_state)
    else:
        error = refusal(history)
        assert isinstance(error, RuleViolation)
        assert error.details["entry"] == refused_entry


# -- refusals -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("history", "error", "article", "entry", "says"),
    [
        pytest.param([notif("KAZ", "2014-03-01")], RuleViolation, "Art. 13", 1, "signator",
                     id="notification-without-signature"),
        pytest.param([sig("KAZ", "2014-05-01"), notif("KAZ", "2014-03-01")], RuleViolation,
                     "Art. 13", 2, "signator", id="notification-before-its-signature"),
        pytest.param([*THREE, notif("AZE", "2016-01-01")], RuleViolation, "Art. 13", 9,
                     "signator", id="notification-by-a-non-signatory-after-entry-into-force"),
        pytest.param([*THREE, notif("KAZ", "2015-06-01")], Conflict, "Art. 13", 9,
                     "second notification", id="second-notification"),
        pytest.param([*THREE, withdraw("KAZ", "2016-03-15"), notif("KAZ", "2017-01-10")],
                     Conflict, "Art. 13", 10, "second notification",
                     id="second-notification-after-withdrawal"),
        pytest.param([*THREE[:-1], acc("UZB", "2015-01-10")], RuleViolation, "Art. 14", 8,
                     "not entered into force", id="accession-before-any-entry-into-force"),
        pytest.param([*THREE, acc("UZB", "2015-03-15")], RuleViolation, "Art. 14", 9,
                     "2015-03-31", id="accession-between-third-receipt-and-entry-into-force"),
        pytest.param([*THREE, acc("UZB", "2015-03-30")], RuleViolation, "Art. 14", 9,
                     "2015-03-31", id="accession-the-day-before-entry-into-force"),
        pytest.param([*THREE, acc("GEO", "2015-06-01")], RuleViolation, "Art. 14", 9,
                     "not a CIS state", id="accession-by-georgia-in-2015"),
        pytest.param([*THREE, acc("XKX", "2015-06-01")], RuleViolation, "Art. 14", 9,
                     "not a CIS state", id="accession-by-a-code-that-is-no-cis-state"),
        pytest.param([*THREE, acc("TJK", "2015-06-01")], RuleViolation, "Art. 13", 9,
                     "signatory", id="accession-by-a-signatory-that-has-not-notified"),
        pytest.param([*THREE, acc("KAZ", "2015-06-01")], Conflict, "Art. 14", 9,
                     "already", id="accession-by-a-party-in-force"),
        pytest.param([*THREE, acc("UZB", "2015-06-01"), acc("UZB", "2015-06-10")], Conflict,
                     "Art. 14", 10, "already", id="second-accession-while-pending"),
        pytest.param([*THREE, withdraw("TJK", "2016-03-15")], RuleViolation, "Art. 15", 9,
                     "signatory", id="withdrawal-by-a-signatory"),
        pytest.param([*THREE, withdraw("UZB", "2016-03-15")], RuleViolation, "Art. 15", 9,
                     "not_party", id="withdrawal-by-a-non-party"),
        pytest.param([*THREE, withdraw("KAZ", "2016-03-15"), withdraw("KAZ", "2016-04-01")],
                     RuleViolation, "Art. 15", 10, "withdrawing",
                     id="second-withdrawal-while-withdrawing"),
        pytest.param([*THREE, withdraw("KAZ", "2016-03-15"), withdraw("KAZ", "2016-10-01")],
                     RuleViolation, "Art. 15", 10, "withdrawn", id="withdrawal-once-withdrawn"),
        pytest.param([*THREE, withdraw("KAZ", "2016-03-15", "2016-09-14")], RuleViolation,
                     "Art. 15", 9, "2016-09-15", id="withdrawal-date-one-day-too-early"),
        pytest.param([*THREE, change("UZB", "2016-01-01", "2016-01-05")], RuleViolation,
                     "Art. 8", 9, "not_party", id="bodies-change-by-a-non-party"),
        pytest.param([*THREE, change("TJK", "2016-01-01", "2016-01-05")], RuleViolation,
                     "Art. 8", 9, "signatory", id="bodies-change-by-a-signatory"),
        pytest.param([sig("KAZ", "2013-11-19")], RuleViolation, None, 1, "2013-11-20",
                     id="signature-before-the-signing-date"),
        pytest.param([sig("KAZ"), notif("KAZ", "2013-11-19")], RuleViolation, None, 2,
                     "2013-11-20", id="receipt-before-the-signing-date"),
        pytest.param([sig("GEO")], RuleViolation, None, 1, "not a CIS state",
                     id="signature-by-georgia-after-it-left-the-cis"),
        pytest.param([sig("KAZ"), sig("KAZ", "2013-12-01")], Conflict, "Art. 13", 2,
                     "already signed", id="second-signature"),
    ],
)
def test_an_unlawful_instrument_is_refused_naming_the_entry_and_the_reason(
        history: list[Body], error: type[KelisimError], article: str | None, entry: int,
        says: str) -> None:
    """Reading decided for `accession-by-a-signatory-that-has-not-notified`: Art. 13 binds a
    signatory by its notification of completed domestic procedures; Art. 14 accession is the
    route for a state that did not sign. A signatory's instrument of accession is therefore
    refused, telling it to notify instead. (Once it has withdrawn, it may accede like anyone.)"""
    refused = refusal(history)
    assert type(refused) is error
    assert refused.details["entry"] == entry
    assert says in refused.reason
    if article is not None:
        assert refused.article == article


def test_accession_before_entry_into_force_is_refused_naming_the_date() -> None:
    refused = refusal([*THREE, acc("UZB", "2015-03-15")])
    assert refused.details["entry_into_force"] == "2015-03-31"


def test_a_refusal_leaves_the_earlier_record_intact() -> None:
    """Replay refuses at the first broken rule; what came before it replays on its own."""
    record, _ = replay(effective(THREE), is_cis_state)
    assert record.entry_into_force == EIF
    with pytest.raises(RuleViolation):
        replay(effective([*THREE, acc("GEO", "2015-06-01")]), is_cis_state)


# -- Art. 14: accession, and the third notification arriving after accessions were attempted ------

@pytest.mark.parametrize(
    ("history", "party", "on", "state", "in_force_from"),
    [
        pytest.param([*THREE, acc("UZB", "2015-03-31")], "UZB", "2015-03-31", "pending",
                     "2015-04-30", id="accession-on-entry-into-force-day-is-accepted"),
        pytest.param([*THREE, acc("UZB", "2015-06-01")], "UZB", "2015-07-01", "in_force",
                     "2015-07-01", id="accession-in-force-30-days-after-receipt"),
        pytest.param([*THREE, acc("TKM", "2015-06-01")], "TKM", "2015-07-01", "in_force",
                     "2015-07-01", id="accession-by-an-associate-member"),
        pytest.param([*THREE, acc("AZE", "2015-06-01")], "AZE", "2015-06-30", "pending",
                     "2015-07-01", id="accession-pending-the-day-before-its-effect"),
        pytest.param([*SIGNED, notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02"),
                      acc("UZB", "2015-04-01"), notif("BLR", "2015-03-01")],
                     "UZB", "2015-05-01", "in_force", "2015-05-01",
                     id="accession-recorded-before-the-third-notification-but-received-after-eif"),
    ],
)
def test_a_cis_state_accedes_after_entry_into_force(
        history: list[Body], party: str, on: str, state: str, in_force_from: str) -> None:
    """Reading decided: Art. 14 opens accession to "any CIS member state" (Kazakh text: ТМД-ға
    кез келген қатысушы мемлекет, "any participating state of the CIS"). The membership data
    counts an associate member (Turkmenistan since 2005) as such a state, so its accession is
    accepted; Georgia after 18 August 2009 is not (see the refusals table)."""
    found = party_on(history, party, on)
    assert (found.state, found.in_force_from) == (state, date.fromisoformat(in_force_from))


def test_the_third_notification_arriving_after_an_accession_was_attempted() -> None:
    """UZB's instrument arrived on 10 January 2015, when only two notifications had; the third
    came on 1 March 2015. The early accession stays unlawful (it is judged on the record as it
    stood on its receipt date); an instrument received after entry into force is accepted."""
    early = [*THREE[:-1], acc("UZB", "2015-01-10"), notif("BLR", "2015-03-01")]
    refused = refusal(early)
    assert refused.details["entry"] == 8
    assert "not entered into force" in refused.reason
    voided_and_again = [*early, void(8), acc("UZB", "2015-04-02")]
    assert party_on(voided_and_again, "UZB", "2015-05-02").state == "in_force"


# -- Art. 15: withdrawal ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("received", "stated", "effective_on"),
    [
        pytest.param("2016-03-15", None, "2016-09-15", id="no-date-is-receipt-plus-6-months"),
        pytest.param("2016-03-15", "2016-09-15", "2016-09-15", id="exactly-6-months-accepted"),
        pytest.param("2016-03-15", "2017-01-01", "2017-01-01", id="a-later-date-accepted"),
        pytest.param("2015-08-31", None, "2016-02-29", id="31-august-to-29-february-leap"),
        pytest.param("2016-08-31", None, "2017-02-28", id="31-august-to-28-february"),
        pytest.param("2015-08-31", "2016-02-29", "2016-02-29", id="29-february-stated-accepted"),
        pytest.param("2015-12-31", None, "2016-06-30", id="31-december-to-30-june"),
        pytest.param("2015-06-30", None, "2015-12-30", id="30-june-to-30-december"),
    ],
)
def test_withdrawal_takes_effect_on_the_stated_date_or_six_months_after_receipt(
        received: str, stated: str | None, effective_on: str) -> None:
    history = [*THREE, withdraw("KAZ", received, stated)]
    assert party_on(history, "KAZ", received).withdrawal_effective == date.fromisoformat(
        effective_on)


@pytest.mark.parametrize(
    ("received", "stated", "earliest"),
    [
        pytest.param("2016-03-15", "2016-09-14", "2016-09-15", id="one-day-short"),
        pytest.param("2016-03-15", "2016-03-15", "2016-09-15", id="same-day-as-receipt"),
        pytest.param("2016-03-15", "2016-01-01", "2016-09-15", id="in-the-past"),
        pytest.param("2015-08-31", "2016-02-28", "2016-02-29", id="28-february-in-a-leap-year"),
        pytest.param("2016-08-31", "2017-02-27", "2017-02-28", id="27-february-common-year"),
    ],
)
def test_withdrawal_earlier_than_six_months_after_receipt_is_refused_naming_the_earliest_date(
        received: str, stated: str, earliest: str) -> None:
    refused = refusal([*THREE, withdraw("KAZ", received, stated)])
    assert isinstance(refused, RuleViolation)
    assert refused.article == "Art. 15"
    assert earliest in refused.reason
    assert refused.details["earliest_withdrawal_date"] == earliest


def test_a_pending_party_may_withdraw() -> None:
    history = [*THREE[:-1], withdraw("KAZ", "2014-06-01")]
    found = party_on(history, "KAZ", "2014-06-01")
    assert (found.state, found.withdrawal_effective) == ("withdrawing", date(2014, 12, 1))


@pytest.mark.parametrize(
    ("history", "accepted"),
    [
        pytest.param([*THREE, withdraw("KAZ", "2016-03-15"), acc("KAZ", "2016-09-15")], True,
                     id="re-accession-on-the-withdrawal-date"),
        pytest.param([*THREE, withdraw("KAZ", "2016-03-15"), acc("KAZ", "2017-01-10")], True,
                     id="re-accession-after-withdrawal"),
        pytest.param([*THREE, withdraw("KAZ", "2016-03-15"), acc("KAZ", "2016-09-14")], False,
                     id="re-accession-while-still-withdrawing"),
        pytest.param([*THREE, acc("UZB", "2015-06-01"), withdraw("UZB", "2016-01-01"),
                      acc("UZB", "2016-08-01")], True, id="an-acceded-state-accedes-again"),
    ],
)
def test_after_withdrawal_a_state_may_accede_again(history: list[Body], accepted: bool) -> None:
    if accepted:
        replay(effective(history), is_cis_state)
    else:
        assert isinstance(refusal(history), Conflict)


def test_a_re_acceded_party_may_withdraw_again() -> None:
    history = [*THREE, withdraw("KAZ", "2016-03-15"), acc("KAZ", "2017-01-10"),
               withdraw("KAZ", "2018-01-10")]
    found = party_on(history, "KAZ", "2018-07-10")
    assert (found.state, found.in_force_from, found.withdrawal_effective) == (
        "withdrawn", date(2017, 2, 9), date(2018, 7, 10))


# -- every state at the edges -------------------------------------------------------------------

LIFE = [*SIGNED, sig("KGZ", "2014-06-10"),                                   # ids 1-6
        notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02"),              # ids 7, 8
        notif("BLR", "2015-03-01"), notif("ARM", "2015-03-10"),              # ids 9, 10
        acc("UZB", "2015-06-01"), withdraw("KAZ", "2016-03-15"),             # ids 11, 12
        acc("KAZ", "2017-01-10", LIST_D)]                                    # id 13


@pytest.mark.parametrize(
    ("party", "on", "state"),
    [
        pytest.param("AZE", "2016-01-01", "not_party", id="AZE-never-acts"),
        pytest.param("TJK", "2013-11-19", "not_party", id="TJK-day-before-signing"),
        pytest.param("TJK", "2013-11-20", "signatory", id="TJK-signing-day"),
        pytest.param("TJK", "2020-01-01", "signatory", id="TJK-stays-signatory"),
        pytest.param("KGZ", "2014-06-09", "not_party", id="KGZ-day-before-late-signature"),
        pytest.param("KGZ", "2014-06-10", "signatory", id="KGZ-day-of-late-signature"),
        pytest.param("KAZ", "2014-02-28", "signatory", id="KAZ-day-before-notification"),
        pytest.param("KAZ", "2014-03-01", "pending", id="KAZ-day-of-notification"),
        pytest.param("KAZ", "2015-03-30", "pending", id="KAZ-day-before-eif"),
        pytest.param("KAZ", "2015-03-31", "in_force", id="KAZ-day-of-eif"),
        pytest.param("KAZ", "2016-03-14", "in_force", id="KAZ-day-before-withdrawal-notice"),
        pytest.param("KAZ", "2016-03-15", "withdrawing", id="KAZ-day-of-withdrawal-notice"),
        pytest.param("KAZ", "2016-03-16", "withdrawing", id="KAZ-day-after-withdrawal-notice"),
        pytest.param("KAZ", "2016-09-14", "withdrawing", id="KAZ-day-before-withdrawal"),
        pytest.param("KAZ", "2016-09-15", "withdrawn", id="KAZ-day-of-withdrawal"),
        pytest.param("KAZ", "2016-09-16", "withdrawn", id="KAZ-day-after-withdrawal"),
        pytest.param("KAZ", "2017-01-09", "withdrawn", id="KAZ-day-before-re-accession"),
        pytest.param("KAZ", "2017-01-10", "pending", id="KAZ-day-of-re-accession"),
        pytest.param("KAZ", "2017-02-08", "pending", id="KAZ-day-before-second-effect"),
        pytest.param("KAZ", "2017-02-09", "in_force", id="KAZ-day-of-second-effect"),
        pytest.param("BLR", "2015-02-28", "signatory", id="BLR-day-before-third-notification"),
        pytest.param("BLR", "2015-03-01", "pending", id="BLR-day-of-third-notification"),
        pytest.param("BLR", "2015-03-31", "in_force", id="BLR-day-of-eif"),
        pytest.param("BLR", "2015-04-01", "in_force", id="BLR-day-after-eif"),
        pytest.param("ARM", "2015-03-09", "signatory", id="ARM-day-before-fourth-notification"),
        pytest.param("ARM", "2015-03-10", "pending", id="ARM-day-of-fourth-notification"),
        pytest.param("ARM", "2015-03-31", "pending", id="ARM-pending-on-eif-day"),
        pytest.param("ARM", "2015-04-08", "pending", id="ARM-day-before-own-effect"),
        pytest.param("ARM", "2015-04-09", "in_force", id="ARM-day-of-own-effect"),
        pytest.param("UZB", "2015-05-31", "not_party", id="UZB-day-before-accession"),
        pytest.param("UZB", "2015-06-01", "pending", id="UZB-day-of-accession"),
        pytest.param("UZB", "2015-06-30", "pending", id="UZB-day-before-effect"),
        pytest.param("UZB", "2015-07-01", "in_force", id="UZB-day-of-effect"),
        pytest.param("UZB", "2015-07-02", "in_force", id="UZB-day-after-effect"),
    ],
)
def test_every_state_on_the_edges_of_its_dates(party: str, on: str, state: str) -> None:
    assert party_on(LIFE, party, on).state == state


@pytest.mark.parametrize(
    ("party", "on", "in_force_from", "withdrawal_effective"),
    [
        pytest.param("KAZ", "2014-06-01", None, None, id="KAZ-pending-before-eif-is-known"),
        pytest.param("KAZ", "2015-03-01", "2015-03-31", None, id="KAZ-once-the-third-arrives"),
        pytest.param("KAZ", "2016-06-01", "2015-03-31", "2016-09-15", id="KAZ-withdrawing"),
        pytest.param("KAZ", "2016-10-01", "2015-03-31", "2016-09-15", id="KAZ-withdrawn"),
        pytest.param("KAZ", "2017-02-09", "2017-02-09", None, id="KAZ-after-re-accession"),
        pytest.param("UZB", "2015-06-01", "2015-07-01", None, id="UZB-acceded"),
        pytest.param("TJK", "2016-01-01", None, None, id="TJK-signatory"),
    ],
)
def test_dates_of_effect_are_reported_as_known_on_the_date(
        party: str, on: str, in_force_from: str | None, withdrawal_effective: str | None) -> None:
    found = party_on(LIFE, party, on)
    assert (found.in_force_from, found.withdrawal_effective) == (
        _opt(in_force_from), _opt(withdrawal_effective))


def test_every_state_asked_for_appears_in_the_status() -> None:
    asked = ["AZE", "ARM", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UKR", "UZB"]
    found = status_on(effective(LIFE), date(2016, 1, 1), asked, is_cis_state)
    assert [p.party for p in found.parties] == sorted(asked)


# -- Art. 8: authorized bodies ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("history", "entry"),
    [
        pytest.param([*THREE[:-1], notif("BLR", "2015-03-01", None)], 8,
                     id="notification-without-a-list"),
        pytest.param([*THREE[:-1], notif("BLR", "2015-03-01", [])], 8,
                     id="notification-with-an-empty-list"),
        pytest.param([*THREE, acc("UZB", "2015-06-01", None)], 9, id="accession-without-a-list"),
    ],
)
def test_an_instrument_without_a_list_is_recorded_but_flagged(history: list[Body],
                                                              entry: int) -> None:
    codes = [flag.code for flag in flags_of(history)[entry]]
    assert codes == ["authorized_bodies_missing"]
    party = history[entry - 1]["party"]
    found = party_on(history, party, "2016-01-01")
    assert found.authorized_bodies == ()
    assert [(f.code, f.article) for f in found.flags] == [("authorized_bodies_missing", "Art. 8")]


def test_a_list_notified_later_lifts_the_missing_flag_from_its_change_date() -> None:
    history = [*THREE, acc("UZB", "2015-06-01", None), change("UZB", "2015-06-10", "2015-06-12")]
    assert [f.code for f in party_on(history, "UZB", "2015-06-11").flags] == [
        "authorized_bodies_missing"]
    lifted = party_on(history, "UZB", "2015-06-12")
    assert lifted.flags == ()
    assert list(lifted.authorized_bodies) == LIST_B


@pytest.mark.parametrize(
    ("changed", "received", "days_late"),
    [
        pytest.param("2016-01-01", "2016-01-01", None, id="same-day-not-late"),
        pytest.param("2016-01-01", "2016-01-31", None, id="exactly-30-days-not-late"),
        pytest.param("2016-01-01", "2016-02-01", 1, id="31-days-is-1-day-late"),
        pytest.param("2016-01-01", "2016-03-01", 30, id="60-days-is-30-days-late"),
        pytest.param("2016-02-01", "2016-03-02", None, id="30-days-across-a-leap-february"),
        pytest.param("2016-02-01", "2016-03-03", 1, id="31-days-across-a-leap-february"),
        pytest.param("2016-02-10", "2016-02-01", None, id="notified-in-advance-not-late"),
    ],
)
def test_a_change_notified_more_than_30_days_late_is_recorded_but_flagged(
        changed: str, received: str, days_late: int | None) -> None:
    history = [*THREE, change("KAZ", changed, received)]
    flags = flags_of(history)[9]
    on_status = party_on(history, "KAZ", "2016-06-01").flags
    if days_late is None:
        assert flags == () and on_status == ()
    else:
        assert [(f.code, f.article, f.details["days_late"]) for f in flags] == [
            ("late_change_notice", "Art. 8", days_late)]
        assert [f.as_dict()["days_late"] for f in on_status] == [days_late]


def test_a_late_change_flag_appears_only_once_the_notice_is_received() -> None:
    history = [*THREE, change("KAZ", "2016-01-01", "2016-03-01")]
    assert party_on(history, "KAZ", "2016-02-29").flags == ()
    assert [f.code for f in party_on(history, "KAZ", "2016-03-01").flags] == [
        "late_change_notice"]


BODIES_HISTORY = [*THREE,
                  change("KAZ", "2016-01-01", "2016-02-15", LIST_B),     # late notice
                  change("KAZ", "2016-06-01", "2016-05-20", LIST_C),     # notice in advance
                  withdraw("KAZ", "2016-07-01"),
                  acc("KAZ", "2017-02-01", LIST_D)]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param("2014-02-28", [], id="none-before-the-notification"),
        pytest.param("2014-03-01", LIST_A, id="list-with-the-notification-from-its-receipt"),
        pytest.param("2016-01-01", LIST_A, id="change-date-reached-but-notice-not-received"),
        pytest.param("2016-02-14", LIST_A, id="day-before-the-late-notice"),
        pytest.param("2016-02-15", LIST_B, id="day-the-late-notice-is-received"),
        pytest.param("2016-05-20", LIST_B, id="advance-notice-received-change-not-yet-made"),
        pytest.param("2016-05-31", LIST_B, id="day-before-the-announced-change"),
        pytest.param("2016-06-01", LIST_C, id="day-of-the-announced-change"),
        pytest.param("2016-12-31", LIST_C, id="still-withdrawing"),
        pytest.param("2017-01-01", [], id="withdrawn-has-no-bodies"),
        pytest.param("2017-02-01", LIST_D, id="re-accession-brings-its-own-list"),
    ],
)
def test_the_authorized_bodies_on_a_date(on: str, expected: list[Body]) -> None:
    """The latest list received on or before D whose change date is on or before D (Art. 8)."""
    assert list(party_on(BODIES_HISTORY, "KAZ", on).authorized_bodies) == expected


def test_a_re_accession_without_a_list_does_not_inherit_the_old_one() -> None:
    history = [*THREE, withdraw("KAZ", "2016-03-15"), acc("KAZ", "2017-01-10", None)]
    found = party_on(history, "KAZ", "2017-03-01")
    assert found.authorized_bodies == ()
    assert [f.code for f in found.flags] == ["authorized_bodies_missing"]


def test_same_day_changes_take_the_one_recorded_last() -> None:
    history = [*THREE, change("KAZ", "2016-01-01", "2016-01-05", LIST_B),
               change("KAZ", "2016-01-01", "2016-01-05", LIST_C)]
    assert list(party_on(history, "KAZ", "2016-01-05").authorized_bodies) == LIST_C


# -- dates: before signing, in the future -------------------------------------------------------

TODAY = date(2016, 5, 20)


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        pytest.param(notif("KAZ", "2016-05-20"), False, id="received-today-accepted"),
        pytest.param(notif("KAZ", "2016-05-21"), True, id="received-tomorrow-refused"),
        pytest.param(acc("UZB", "2017-01-01"), True, id="accession-received-next-year-refused"),
        pytest.param(sig("KGZ", "2016-05-21"), True, id="signature-dated-tomorrow-refused"),
        pytest.param(withdraw("KAZ", "2016-05-20", "2016-12-01"), False,
                     id="a-future-withdrawal-date-is-not-a-receipt"),
        pytest.param(withdraw("KAZ", "2016-05-21"), True, id="withdrawal-received-tomorrow"),
        pytest.param(change("KAZ", "2016-05-10", "2016-05-21"), True,
                     id="change-received-tomorrow-refused"),
        pytest.param(change("KAZ", "2016-06-01", "2016-05-20"), False,
                     id="advance-notice-of-a-future-change-accepted"),
    ],
)
def test_a_receipt_date_in_the_future_is_refused(body: Body, refused: bool) -> None:
    """Only receipt (and signature) dates must not be in the future. A change date is not a
    receipt: Art. 8 asks for notice *within* 30 days of a change, so a notice received before
    the change takes effect is lawful, and the status already handles it (the new list applies
    from its change date)."""
    instrument = parse_instrument(body)
    if refused:
        with pytest.raises(RuleViolation):
            check_new_dates([instrument], TODAY)
    else:
        check_new_dates([instrument], TODAY)


def test_the_signing_date_itself_is_accepted() -> None:
    record, _ = replay(effective([sig("KAZ", SIGNED_ON.isoformat()),
                                  notif("KAZ", "2013-11-20")]), is_cis_state)
    assert record.parties["KAZ"].signed_on == SIGNED_ON


# -- corrections --------------------------------------------------------------------------------

def test_a_correction_replaces_a_date() -> None:
    history = [*THREE, correct(BLR_NOTIFICATION, received="2015-04-01")]
    assert status(history, "2016-01-01").entry_into_force == date(2015, 5, 1)
    (blr,) = [e for e in effective(history) if e.id == BLR_NOTIFICATION]
    assert blr.corrected_by == (9,)


def test_a_correction_can_void_an_entry() -> None:
    history = [*THREE, void(BLR_NOTIFICATION)]
    found = status(history, "2016-01-01")
    assert (found.entry_into_force, found.notifications_received) == (None, 2)
    assert party_on(history, "BLR", "2016-01-01").state == "signatory"


def test_a_correction_of_a_correction_applies_to_the_original_entry() -> None:
    history = [*THREE, correct(BLR_NOTIFICATION, received="2015-04-01"),
               correct(9, received="2015-05-01")]
    assert status(history, "2016-01-01").entry_into_force == date(2015, 5, 31)


def test_a_correction_that_makes_a_later_entry_unlawful_is_refused() -> None:
    """Moving the third notification past UZB's accession makes the accession premature: the
    replay refuses, naming the accession (the entry the correction made unlawful)."""
    history = [*THREE, acc("UZB", "2015-06-01"), correct(BLR_NOTIFICATION, received="2015-06-15")]
    refused = refusal(history)
    assert isinstance(refused, RuleViolation)
    assert refused.details["entry"] == 9


def test_voiding_a_signature_makes_its_notification_unlawful() -> None:
    refused = refusal([*THREE, void(1)])
    assert refused.details["entry"] == KAZ_NOTIFICATION
    assert refused.article == "Art. 13"


@pytest.mark.parametrize(
    ("history", "error", "entry"),
    [
        pytest.param([*THREE, void(BLR_NOTIFICATION),
                      correct(BLR_NOTIFICATION, received="2015-04-01")], Conflict, 10,
                     id="correcting-a-voided-entry"),
        pytest.param([*THREE, void(BLR_NOTIFICATION), void(BLR_NOTIFICATION)], Conflict, 10,
                     id="voiding-a-voided-entry"),
        pytest.param([*THREE, correct(99, received="2015-04-01")], NotFound, 9,
                     id="superseding-an-unknown-id"),
        pytest.param([*THREE, correct(10, received="2015-04-01"), notif("ARM", "2015-04-02")],
                     NotFound, 9, id="superseding-a-later-entry"),
        pytest.param([*THREE, correct(BLR_NOTIFICATION, authorized_bodies="Ministry")],
                     InvalidInput, 9, id="a-malformed-list"),
        pytest.param([*THREE, correct(BLR_NOTIFICATION, party="12")], InvalidInput, 9,
                     id="an-invalid-party"),
        pytest.param([*THREE, correct(BLR_NOTIFICATION, received=None)], InvalidInput, 9,
                     id="removing-a-required-receipt-date"),
        pytest.param([*THREE, correct(1, date=None)], InvalidInput, 9,
                     id="removing-a-required-signature-date"),
    ],
)
def test_an_unlawful_correction_is_refused_naming_it(
        history: list[Body], error: type[KelisimError], entry: int) -> None:
    """The issue: "one bad entry and nothing is recorded, and the error names the entry and
    why" - a correction is an entry, so its refusal names it too."""
    with pytest.raises(error) as caught:
        effective(history)
    assert caught.value.details["entry"] == entry


def test_an_unknown_supersedes_is_refused_by_the_parser() -> None:
    with pytest.raises(InvalidInput):
        parse_instrument({"kind": "correction", "supersedes": 0, "void": True})

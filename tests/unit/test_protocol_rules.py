"""Art. 11 as tables: a protocol's status per Party on a date, replayed by the engine that
replays the Agreement (Art. 13-15), on the terms the protocol states.

The history below extends the running example of `test_treaty_rules` (the Agreement enters into
force on 31 March 2015 after KAZ, RUS and BLR notify; ARM notifies on 10 January 2016, in force
9 February 2016; TJK signs and does not notify; UZB accedes on 15 January 2018, in force
14 February 2018). Protocol P1 (Art. 13's way: third notification + 30 days) is done on
1 June 2020: KAZ, RUS, BLR, ARM and TJK sign it; KAZ, RUS and BLR notify (the third on
11 January 2021, so P1 enters into force on 10 February 2021); ARM notifies on 1 May 2021 (in
force 31 May 2021); UZB accedes on 1 June 2021 (in force 1 July 2021); RUS withdraws from the
Agreement on notice received 10 January 2022, effective 10 July 2022, which ends P1 for it.
Protocol P2 states its own terms: two notifications, in force the same day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kelisim.domain.depositary_record import DepositaryRecord, replay_all
from kelisim.domain.errors import KelisimError, NotFound, RuleViolation
from kelisim.domain.states import is_cis_state
from kelisim.domain.treaty import PartyState
from tests.unit.test_treaty_rules import acc, effective, notif, sig, withdraw

Body = dict[str, Any]
P1, P2 = "cis-infosec-2013-p1", "cis-infosec-2013-p2"
TEXT = {"kk": "Жаңа мәтін", "ru": "Новый текст", "en": "New text"}
INSERTED = {"kk": "Қосылған бап", "ru": "Дополнительная статья", "en": "Added article"}


def protocol(pid: str, done_on: str, **terms: Any) -> Body:
    body: Body = {"kind": "protocol", "protocol": pid, "done_on": done_on,
                  "titles": {"kk": f"{pid} хаттамасы", "ru": f"Протокол {pid}",
                             "en": f"Protocol {pid}"},
                  "amendments": [{"article": 8, "action": "replace", "text": TEXT},
                                 {"article": "3", "action": "insert_after",
                                  "new_article": "3-1", "text": INSERTED}]}
    body.update(terms)
    return body


def of(treaty: str, body: Body) -> Body:
    return {**body, "treaty": treaty}


AGREEMENT_HISTORY: list[Body] = [
    *(sig(p) for p in ("KAZ", "RUS", "BLR", "ARM", "TJK")),
    notif("KAZ", "2014-03-01"), notif("RUS", "2014-05-02"), notif("BLR", "2015-03-01"),
    notif("ARM", "2016-01-10"), acc("UZB", "2018-01-15"),
]
P1_HISTORY: list[Body] = [
    protocol(P1, "2020-06-01"),
    *(of(P1, sig(p, "2020-06-01")) for p in ("KAZ", "RUS", "BLR", "ARM", "TJK")),
    of(P1, notif("KAZ", "2020-09-01", None)), of(P1, notif("RUS", "2020-10-01", None)),
    of(P1, notif("BLR", "2021-01-11", None)), of(P1, notif("ARM", "2021-05-01", None)),
    of(P1, acc("UZB", "2021-06-01", None)),
    withdraw("RUS", "2022-01-10", "2022-07-10"),
]
HISTORY = AGREEMENT_HISTORY + P1_HISTORY


def replayed(history: list[Body], on: str | None = None) -> DepositaryRecord:
    record, _ = replay_all(effective(history), is_cis_state,
                           until=date.fromisoformat(on) if on else None)
    return record


def state_of(history: list[Body], treaty: str, party: str, on: str) -> tuple[str, str | None]:
    status = replayed(history, on).treaty_status(treaty, date.fromisoformat(on), [party])
    mine = next(p for p in status.status.parties if p.party == party)
    return mine.state.value, mine.in_force_from.isoformat() if mine.in_force_from else None


def refusal(history: list[Body]) -> KelisimError:
    with pytest.raises(KelisimError) as caught:
        replayed(history)
    return caught.value


@pytest.mark.parametrize(("party", "on", "state", "in_force_from"), [
    # before the third notification: signatories, or pending once notified (Art. 13 via Art. 11)
    ("KAZ", "2020-05-31", "not_party", None),
    ("KAZ", "2020-06-01", "signatory", None),
    ("KAZ", "2020-09-01", "pending", None),
    ("BLR", "2021-01-11", "pending", "2021-02-10"),
    # entry into force 30 days after the third notification, inclusive
    ("KAZ", "2021-02-09", "pending", "2021-02-10"),
    ("KAZ", "2021-02-10", "in_force", "2021-02-10"),
    ("BLR", "2021-02-10", "in_force", "2021-02-10"),
    # a later notification: 30 days after its own receipt
    ("ARM", "2021-02-10", "signatory", None),
    ("ARM", "2021-05-30", "pending", "2021-05-31"),
    ("ARM", "2021-05-31", "in_force", "2021-05-31"),
    # accession after entry into force: 30 days after receipt
    ("UZB", "2021-06-01", "pending", "2021-07-01"),
    ("UZB", "2021-07-01", "in_force", "2021-07-01"),
    # a signatory of the Agreement that is not bound by it signs the protocol but stays a signatory
    ("TJK", "2021-07-01", "signatory", None),
    # withdrawal from the Agreement (Art. 15) ends the protocol for that Party (Art. 11)
    ("RUS", "2022-01-10", "withdrawing", "2021-02-10"),
    ("RUS", "2022-07-09", "withdrawing", "2021-02-10"),
    ("RUS", "2022-07-10", "withdrawn", "2021-02-10"),
    ("KAZ", "2022-07-10", "in_force", "2021-02-10"),
])
def test_a_protocols_status_per_party_on_a_date(party: str, on: str, state: str,
                                                in_force_from: str | None) -> None:
    assert state_of(HISTORY, P1, party, on) == (state, in_force_from)


def test_the_agreements_status_is_unchanged_by_a_protocol() -> None:
    status = replayed(HISTORY, "2022-07-10").treaty_status(
        "cis-infosec-2013", date(2022, 7, 10), []).status
    assert status.entry_into_force == date(2015, 3, 31)
    assert {p.party: p.state for p in status.parties}["RUS"] is PartyState.WITHDRAWN
    assert status.notifications_received == 4


P2_HISTORY: list[Body] = [
    *AGREEMENT_HISTORY,
    protocol(P2, "2021-02-01", entry_into_force={"notifications": 2, "days_after": 0},
             amendments=[{"article": 10, "action": "repeal"}]),
    of(P2, sig("KAZ", "2021-02-01")), of(P2, sig("RUS", "2021-02-01")),
    of(P2, sig("TJK", "2021-02-01")),
    of(P2, notif("KAZ", "2021-02-15", None)), of(P2, notif("RUS", "2021-02-15", None)),
    notif("TJK", "2021-03-01"), of(P2, notif("TJK", "2021-03-02", None)),
]


@pytest.mark.parametrize(("party", "on", "state", "in_force_from"), [
    # the protocol's own terms: the second notification, the same day
    ("KAZ", "2021-02-14", "signatory", None),
    ("KAZ", "2021-02-15", "in_force", "2021-02-15"),
    # in force for TJK under the protocol's terms on 2 March, but the Agreement binds TJK only
    # from 31 March (Art. 13): the protocol binds it no earlier (Art. 11)
    ("TJK", "2021-03-02", "pending", "2021-03-31"),
    ("TJK", "2021-03-30", "pending", "2021-03-31"),
    ("TJK", "2021-03-31", "in_force", "2021-03-31"),
])
def test_a_protocol_on_its_own_terms_binds_only_while_the_agreement_does(
        party: str, on: str, state: str, in_force_from: str | None) -> None:
    assert state_of(P2_HISTORY, P2, party, on) == (state, in_force_from)


def test_a_party_bound_by_the_protocol_before_the_agreement_is_flagged() -> None:
    status = replayed(P2_HISTORY, "2021-03-10").treaty_status(P2, date(2021, 3, 10), [])
    tjk = next(p for p in status.status.parties if p.party == "TJK")
    assert [f.as_dict() for f in tjk.flags] == [
        {"code": "agreement_not_in_force", "article": "Art. 11", "agreement_state": "pending"}]


@pytest.mark.parametrize(("history", "article", "words"), [
    # a state not bound by the Agreement cannot notify a protocol (Art. 11)
    ([*HISTORY, of(P1, notif("TJK", "2022-01-01", None))], "Art. 11", "only a Party notifies"),
    # a state that neither signed nor is bound by the Agreement cannot sign it
    ([*AGREEMENT_HISTORY, protocol(P1, "2020-06-01"), of(P1, sig("AZE", "2020-06-01"))],
     "Art. 11", "AZE is not_party"),
    # accession before the protocol's entry into force
    ([*AGREEMENT_HISTORY, protocol(P1, "2020-06-01"), of(P1, acc("UZB", "2020-07-01", None))],
     "Art. 11", "had not entered into force"),
    # accession to a protocol closed to accession
    ([*AGREEMENT_HISTORY, protocol(P1, "2020-06-01", accession={"open": False}),
      of(P1, acc("UZB", "2020-07-01", None))], "Art. 11", "not open to accession"),
    # a protocol is left by leaving the Agreement
    ([*HISTORY, of(P1, withdraw("KAZ", "2022-01-01"))], "Art. 11", "withdrawing from the"),
    # Art. 8 lists concern the Agreement
    ([*HISTORY, of(P1, {"kind": "authorized_bodies_change", "party": "KAZ",
                        "changed": "2022-01-01", "received": "2022-01-02",
                        "authorized_bodies": [{"name": "X"}]})], "Art. 8", "concern the"),
    # an instrument dated before the protocol was done
    ([*AGREEMENT_HISTORY, protocol(P1, "2020-06-01"), of(P1, sig("KAZ", "2020-05-01"))],
     "Art. 11", "is before protocol cis-infosec-2013-p1 was done on 2020-06-01"),
    # a protocol recorded twice
    ([*AGREEMENT_HISTORY, protocol(P1, "2020-06-01"), protocol(P1, "2020-07-01")],
     "Art. 11", "already recorded"),
    # an amendment to an article that does not exist
    ([protocol(P1, "2020-06-01", amendments=[{"article": "16", "action": "repeal"}])],
     "Art. 11", "neither an article"),
])
def test_an_unlawful_protocol_instrument_is_refused_naming_the_article(
        history: list[Body], article: str, words: str) -> None:
    error = refusal(history)
    assert error.article == article
    assert words in str(error)


def test_an_instrument_for_an_unknown_protocol_is_not_found() -> None:
    assert isinstance(refusal([*AGREEMENT_HISTORY, of("nope", sig("KAZ", "2020-01-01"))]),
                      NotFound)


def test_a_protocol_before_the_agreement_was_signed_is_refused() -> None:
    error = refusal([protocol(P1, "2013-01-01")])
    assert isinstance(error, RuleViolation) and "before the Agreement was signed" in str(error)


def test_protocols_in_force_for_a_party_are_listed_in_recorded_order() -> None:
    history = [*HISTORY, protocol(P2, "2021-02-01", amendments=[
        {"article": "3-1", "action": "repeal"}]),
        of(P2, sig("KAZ", "2021-02-01")), of(P2, sig("BLR", "2021-02-01")),
        of(P2, sig("ARM", "2021-02-01")),
        of(P2, notif("KAZ", "2021-02-15", None)), of(P2, notif("BLR", "2021-02-15", None)),
        of(P2, notif("ARM", "2021-02-15", None))]
    record = replayed(history, "2021-06-01")
    assert [(p.protocol, since) for _, p, since in record.in_force_for("KAZ", date(2021, 6, 1))
            ] == [(P1, date(2021, 2, 10)), (P2, date(2021, 3, 17))]
    assert record.in_force_for("TJK", date(2021, 6, 1)) == []

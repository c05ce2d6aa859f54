"""Consultations' rules as tables (issue 15 item 4; Art. 4, 12, 13-15): who is invited, who
answers, who schedules and records the minutes, who is present, follow-up actions and who marks
them done, overdue actions; and the fold of a consultation's events."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kelisim.domain.errors import InvalidInput, KelisimError, PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace import consultations as c
from kelisim.domain.workspace.project import Event, EventKind

D = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 12, tzinfo=UTC)
STATES = {"KAZ": PartyState.IN_FORCE, "RUS": PartyState.IN_FORCE,
          "BLR": PartyState.WITHDRAWING, "ARM": PartyState.SIGNATORY,
          "UZB": PartyState.WITHDRAWN}


def consultation(**changes: object) -> c.Consultation:
    found = c.Consultation(id="c", subject="Art. 6 marking", articles=(6,), requester="KAZ",
                           invited=("BLR", "RUS"), requested_at=AT)
    for key, value in changes.items():
        setattr(found, key, value)
    return found


@pytest.mark.parametrize(("invited", "refused"), [
    (["RUS"], None),
    (["rus", " BLR "], None),  # a Party withdrawing is bound until its date (Art. 15)
    ([], InvalidInput),
    (["KAZ"], InvalidInput),  # not oneself
    (["RUS", "KAZ"], InvalidInput),
    (["ARM"], RuleViolation),  # a signatory only
    (["UZB"], RuleViolation),  # withdrawn
    (["GEO"], RuleViolation),  # never a Party
])
def test_who_may_be_invited(invited: list[str], refused: type[KelisimError] | None) -> None:
    if refused is None:
        assert c.check_invited("KAZ", invited, STATES, D)
    else:
        with pytest.raises(refused):
            c.check_invited("KAZ", invited, STATES, D)


@pytest.mark.parametrize(("articles", "ok"), [
    ([12], True), ([4, 12, 12], True), ([], False), ([0], False), ([16], False)])
def test_the_articles_concerned_are_the_agreements(articles: list[int], ok: bool) -> None:
    if ok:
        assert c.parse_articles(articles) == tuple(sorted(set(articles)))
    else:
        with pytest.raises(InvalidInput):
            c.parse_articles(articles)


@pytest.mark.parametrize(("party", "answers", "refused"), [
    ("RUS", {}, None),
    ("BLR", {"RUS": True}, None),
    ("RUS", {"RUS": False}, RuleViolation),  # answered once
    ("ARM", {}, PermissionDenied),  # not invited
    ("KAZ", {}, PermissionDenied),  # the requester does not answer itself
])
def test_who_answers_an_invitation(party: str, answers: dict[str, bool],
                                   refused: type[KelisimError] | None) -> None:
    found = consultation(answers=answers)
    if refused is None:
        c.check_answer(found, party)
    else:
        with pytest.raises(refused):
            c.check_answer(found, party)


@pytest.mark.parametrize(("held_on", "place", "online", "minutes", "refused"), [
    (D, "Almaty", False, None, None),
    (date(2027, 1, 1), "", True, None, None),
    (date(2026, 11, 24), "Almaty", False, None, InvalidInput),  # in the past
    (D, "", False, None, InvalidInput),  # neither place nor online
    (D, "Minsk", True, None, InvalidInput),  # both
    (D, "Almaty", False, "held", RuleViolation),  # minutes recorded: not rescheduled
])
def test_scheduling(held_on: date, place: str, online: bool, minutes: str | None,
                    refused: type[KelisimError] | None) -> None:
    found = consultation(minutes=minutes)
    if refused is None:
        c.check_schedule(found, held_on, place, online, D)
    else:
        with pytest.raises(refused):
            c.check_schedule(found, held_on, place, online, D)


@pytest.mark.parametrize(("held_on", "minutes", "present", "refused"), [
    (D, None, ["KAZ", "RUS"], None),
    (date(2026, 11, 1), None, ["KAZ"], None),
    (None, None, ["KAZ"], RuleViolation),  # not scheduled
    (date(2026, 12, 1), None, ["KAZ"], RuleViolation),  # not yet held
    (D, "already", ["KAZ"], RuleViolation),  # once
    (D, None, ["RUS"], InvalidInput),  # the requester is present
    (D, None, ["KAZ", "BLR"], InvalidInput),  # BLR declined
    (D, None, ["KAZ", "ARM"], InvalidInput),  # never invited
])
def test_who_is_present_in_the_minutes(held_on: date | None, minutes: str | None,
                                       present: list[str],
                                       refused: type[KelisimError] | None) -> None:
    found = consultation(held_on=held_on, minutes=minutes, answers={"RUS": True, "BLR": False})
    if refused is None:
        assert c.check_minutes(found, present, D) == tuple(sorted(present))
    else:
        with pytest.raises(refused):
            c.check_minutes(found, present, D)


@pytest.mark.parametrize(("minutes", "party", "owner", "deadline", "refused"), [
    ("held", "KAZ", "RUS", date(2027, 1, 1), None),
    ("held", "RUS", "RUS", D, None),
    (None, "KAZ", "RUS", date(2027, 1, 1), RuleViolation),  # before the minutes
    ("held", "BLR", "RUS", date(2027, 1, 1), PermissionDenied),  # BLR was not present
    ("held", "KAZ", "BLR", date(2027, 1, 1), InvalidInput),  # owner not present
    ("held", "KAZ", "RUS", date(2026, 11, 1), InvalidInput),  # before the consultation
])
def test_follow_up_actions(minutes: str | None, party: str, owner: str, deadline: date,
                           refused: type[KelisimError] | None) -> None:
    found = consultation(minutes=minutes, present=("KAZ", "RUS"), held_on=date(2026, 11, 20))
    if refused is None:
        c.check_action(found, party, owner, deadline)
    else:
        with pytest.raises(refused):
            c.check_action(found, party, owner, deadline)


@pytest.mark.parametrize(("party", "done_on", "refused"), [
    ("RUS", None, None), ("KAZ", None, PermissionDenied), ("RUS", D, RuleViolation)])
def test_only_the_owner_marks_its_action_done_once(party: str, done_on: date | None,
                                                   refused: type[KelisimError] | None) -> None:
    action = c.Action("a", "draft", "RUS", D, "x", done_on)
    if refused is None:
        c.check_action_done(action, party)
    else:
        with pytest.raises(refused):
            c.check_action_done(action, party)


@pytest.mark.parametrize(("deadline", "done_on", "today", "overdue"), [
    (D, None, D, False), (D, None, date(2026, 11, 26), True),
    (D, date(2026, 11, 30), date(2026, 12, 1), False)])
def test_an_action_past_its_deadline_and_not_done_is_overdue(
        deadline: date, done_on: date | None, today: date, overdue: bool) -> None:
    assert c.Action("a", "draft", "RUS", deadline, "x", done_on).overdue(today) is overdue


def _event(position: int, kind: EventKind, party: str, body: dict, day: int = 25) -> Event:
    return Event(id=f"e{position}", record_id="c", position=position, kind=kind,
                 origin_party=party, actor_account=1, actor_name=f"{party} analyst",
                 at=datetime(2026, 11, day, 12, tzinfo=UTC), body=body)


def test_the_fold_replays_request_answers_schedule_minutes_and_actions() -> None:
    events = [
        _event(1, EventKind.CONSULTATION_REQUESTED, "KAZ",
               {"subject": "Markings", "articles": [6, 12], "invited": ["BLR", "RUS"]}),
        _event(2, EventKind.CONSULTATION_ANSWERED, "RUS", {"accepted": True}),
        _event(3, EventKind.CONSULTATION_ANSWERED, "BLR", {"accepted": False}),
        _event(4, EventKind.CONSULTATION_SCHEDULED, "KAZ",
               {"date": "2026-11-26", "agenda": ["a"], "place": None, "online": True}),
        _event(5, EventKind.CONSULTATION_SCHEDULED, "KAZ",
               {"date": "2026-11-27", "agenda": ["a", "b"], "place": "Astana", "online": False}),
        _event(6, EventKind.CONSULTATION_MINUTES, "KAZ",
               {"minutes": "Met.", "present": ["KAZ", "RUS"], "decisions": ["Draft a rule"]}, 27),
        _event(7, EventKind.CONSULTATION_ACTION_ADDED, "KAZ",
               {"action_id": "a1", "description": "Draft", "owner": "RUS",
                "deadline": "2026-12-01"}, 27),
        _event(8, EventKind.CONSULTATION_ACTION_DONE, "RUS", {"action_id": "a1"}, 30),
    ]
    seen = c.view(c.fold(events), date(2026, 12, 5))
    assert (seen["accepted"], seen["declined"], seen["awaiting_answer"]) == (["RUS"], ["BLR"], [])
    assert (seen["date"], seen["place"], seen["online"], seen["schedule_revision"]) == (
        "2026-11-27", "Astana", False, 2)
    assert seen["present"] == ["KAZ", "RUS"] and seen["decisions"] == ["Draft a rule"]
    assert seen["actions"][0]["done_on"] == "2026-11-30" and seen["overdue_actions"] == 0
    undone = c.view(c.fold(events[:7]), date(2026, 12, 5))
    assert undone["actions"][0]["overdue"] is True and undone["overdue_actions"] == 1

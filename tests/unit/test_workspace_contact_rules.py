"""Points of contact and communication checks as tables (issue 15 item 9; Art. 8, 9): what a
contact must state, who launches a check, which contacts it reaches, when an acknowledgement
counts, and the report per Party with the unanswered flagged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kelisim.domain.access import Action, allowed
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import Conflict, InvalidInput, KelisimError, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace import checks as k
from kelisim.domain.workspace import contacts as c
from kelisim.domain.workspace.project import Event, EventKind

AT = datetime(2026, 11, 25, 12, tzinfo=UTC)
STATES = {"KAZ": PartyState.IN_FORCE, "RUS": PartyState.IN_FORCE,
          "BLR": PartyState.WITHDRAWING, "ARM": PartyState.SIGNATORY}
EMAIL = [{"kind": "email", "value": "soc@cert.example"}]


@pytest.mark.parametrize(("changes", "field"), [
    ({}, None),
    ({"hours": "office", "office_hours": "Mon-Fri 09-18 UTC+5"}, None),
    ({"channels": [{"kind": "phone", "value": "+7 7172 000000"}, *EMAIL]}, None),
    ({"name": " "}, "name"),
    ({"hours": "sometimes"}, "hours"),
    ({"hours": "office"}, "office_hours"),  # office hours must be stated
    ({"languages": []}, "languages"),
    ({"languages": ["Kazakh"]}, "languages"),
    ({"channels": []}, "channels"),
    ({"channels": [{"kind": "email", "value": "not an address"}]}, "channels"),
    ({"channels": [{"kind": "pigeon", "value": "loft 3"}]}, "channels"),
])
def test_what_a_point_of_contact_states(changes: dict[str, Any], field: str | None) -> None:
    given: dict[str, Any] = {"name": "Duty desk", "hours": "24/7", "office_hours": "",
                             "languages": ["RU", "kk"], "channels": EMAIL, **changes}
    if field is None:
        body = c.parse_details(**given)
        assert body["languages"] == sorted({x.lower() for x in given["languages"]})
        assert body["office_hours"] is (None if given["hours"] == "24/7" else body["office_hours"])
    else:
        with pytest.raises(InvalidInput) as caught:
            c.parse_details(**given)
        assert caught.value.details["field"] == field


@pytest.mark.parametrize(("role", "kind", "party", "may"), [
    (Role.DEPOSITARY, OrganizationKind.DEPOSITARY, None, True),
    (Role.PARTY_ADMIN, OrganizationKind.AUTHORIZED_BODY, "KAZ", True),
    (Role.ANALYST, OrganizationKind.AUTHORIZED_BODY, "RUS", True),
    (Role.READER, OrganizationKind.AUTHORIZED_BODY, "KAZ", False),
    (Role.READER, OrganizationKind.DEPOSITARY, None, False),
    (Role.CERTIFIER, OrganizationKind.CERTIFICATION_BODY, "KAZ", False),
])
def test_who_launches_a_check(role: Role, kind: OrganizationKind, party: str | None,
                              may: bool) -> None:
    assert allowed(Principal(1, "x", role, kind, party), Action.LAUNCH_CONTACT_CHECK) is may


def contact(cid: str, party: str, retired: bool = False) -> c.Contact:
    return c.Contact(id=cid, party=party, organization=None, name=cid, hours=c.Hours.OFFICE,
                     office_hours="9-18", languages=("ru",), channels=(("email", "a@b.c"),),
                     added_at=AT, changed_at=AT, retired_at=AT if retired else None)


CONTACTS = [contact("kz1", "KAZ"), contact("kz2", "KAZ", retired=True), contact("ru1", "RUS"),
            contact("by1", "BLR"), contact("am1", "ARM")]


@pytest.mark.parametrize(("named", "parties", "reached", "refused"), [
    ([], ("BLR", "KAZ", "RUS"), {"kz1", "ru1", "by1"}, None),  # every Party bound; no retired
    (["rus"], ("RUS",), {"ru1"}, None),
    (["ARM"], None, None, RuleViolation),  # a signatory only
    (["GEO"], None, None, RuleViolation),
])
def test_which_contacts_a_check_reaches(named: list[str], parties: tuple[str, ...] | None,
                                        reached: set[str] | None,
                                        refused: type[KelisimError] | None) -> None:
    if refused is None:
        chosen, targets = k.select_targets(CONTACTS, STATES, named, date(2026, 11, 25))
        assert chosen == parties and {t.id for t in targets} == reached
    else:
        with pytest.raises(refused):
            k.select_targets(CONTACTS, STATES, named, date(2026, 11, 25))


def test_a_check_of_parties_without_contacts_is_refused() -> None:
    with pytest.raises(RuleViolation, match="nothing to check"):
        k.select_targets([contact("kz2", "KAZ", retired=True)], STATES, ["KAZ"], AT.date())


@pytest.mark.parametrize(("hours", "ok"), [(1, True), (720, True), (0, False), (721, False)])
def test_a_deadline_is_one_hour_to_thirty_days(hours: int, ok: bool) -> None:
    if ok:
        assert k.parse_deadline(hours) == timedelta(hours=hours)
    else:
        with pytest.raises(InvalidInput):
            k.parse_deadline(hours)


def launched(*targets: tuple[str, str], hours: int = 2) -> Event:
    return Event(id="e", record_id="chk", position=1, kind=EventKind.CHECK_LAUNCHED,
                 origin_party=k.DEPOSITARY_ORIGIN, actor_account=1, actor_name="dep", at=AT,
                 body={"deadline": (AT + timedelta(hours=hours)).isoformat(),
                       "parties": sorted({p for _, p in targets} | {"BLR"}),
                       "without_contacts": ["BLR"],
                       "targets": [{"id": t, "party": p, "contact_id": t, "contact_name": t}
                                   for t, p in targets]})


def answer(target: str, after: timedelta) -> Event:
    return Event(id=f"a{target}", record_id=target, position=1,
                 kind=EventKind.CHECK_ACKNOWLEDGED, origin_party="KAZ", actor_account=None,
                 actor_name=target, at=AT + after, body={"check_id": "chk"})


@pytest.mark.parametrize(("after", "answered", "refused"), [
    (timedelta(minutes=5), False, None),
    (timedelta(hours=2), False, RuleViolation),  # at the deadline: too late
    (timedelta(minutes=5), True, Conflict),  # a link answers once
])
def test_when_an_acknowledgement_counts(after: timedelta, answered: bool,
                                        refused: type[KelisimError] | None) -> None:
    check = k.fold(launched(("t1", "KAZ")), [answer("t1", timedelta(minutes=1))]
                   if answered else [])
    target = check.target("t1")
    assert target is not None
    if refused is None:
        k.check_acknowledgement(check, target, AT + after)
    else:
        with pytest.raises(refused):
            k.check_acknowledgement(check, target, AT + after)


def test_the_report_flags_the_unanswered_per_party_over_time() -> None:
    first = k.fold(launched(("t1", "KAZ"), ("t2", "KAZ"), ("t3", "RUS")),
                   [answer("t1", timedelta(seconds=30)), answer("t3", timedelta(seconds=90))])
    second = k.fold(launched(("t4", "KAZ")), [answer("t4", timedelta(seconds=60))])
    second.id, second.launched_at = "chk2", AT + timedelta(days=1)
    second.deadline = second.launched_at + timedelta(hours=2)
    second.answers = {"t4": second.launched_at + timedelta(seconds=60)}
    during = {r["party"]: r for r in k.report([second, first], AT + timedelta(minutes=10))}
    assert during["KAZ"]["awaiting"] == 1 and during["KAZ"]["unanswered"] == 0
    rows = {r["party"]: r for r in k.report([second, first], AT + timedelta(days=2))}
    kaz, rus, blr = rows["KAZ"], rows["RUS"], rows["BLR"]
    assert (kaz["checks"], kaz["targets"], kaz["answered"], kaz["unanswered"]) == (2, 3, 2, 1)
    assert kaz["flagged"] and kaz["median_seconds"] == 45 and kaz["max_seconds"] == 60
    assert [h["check_id"] for h in kaz["history"]] == ["chk", "chk2"]  # oldest first
    assert [h["flagged"] for h in kaz["history"]] == [True, False]
    assert not rus["flagged"] and rus["median_seconds"] == 90
    assert blr["flagged"] and blr["no_contact"] == 2 and blr["targets"] == 0
    seen = k.view(first, AT + timedelta(days=2))
    assert [t["state"] for t in seen["targets"]] == ["answered", "unanswered", "answered"]

"""Who the workspace's notices are for, and when a deadline is told (issue 15 item 10;
domain/workspace/notices.py), as tables: no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kelisim.domain.notifications import WORKSPACE_TITLES, workspace_mail_text
from kelisim.domain.workspace import notices
from kelisim.domain.workspace.consultations import Action, Consultation
from kelisim.domain.workspace.disputes import Dispute, Matter
from kelisim.domain.workspace.documents import Document
from kelisim.domain.workspace.notices import Threshold, threshold
from kelisim.domain.workspace.participation import Participation
from kelisim.domain.workspace.project import Event, EventKind, Project, ProjectKind
from kelisim.domain.workspace.reviews import Review
from kelisim.domain.workspace.stages import Consent, Stage

TODAY = date(2026, 11, 25)
AT = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(("deadline", "expected"), [
    (date(2026, 12, 25), None),
    (date(2026, 12, 3), None),  # 8 days
    (date(2026, 12, 2), Threshold.SOON),  # 7 days
    (date(2026, 11, 26), Threshold.SOON),
    (TODAY, Threshold.SOON),  # the day itself is not yet past
    (date(2026, 11, 24), Threshold.OVERDUE),
    (date(2025, 1, 1), Threshold.OVERDUE),
])
def test_a_deadline_is_near_within_seven_days_and_overdue_once_passed(
        deadline: date, expected: Threshold | None) -> None:
    assert threshold(deadline, TODAY) is expected


def event(kind: EventKind, party: str = "KAZ", **body: object) -> Event:
    return Event(id=f"e-{kind.value}", record_id="r", position=2, kind=kind,
                 origin_party=party, actor_account=1, actor_name="x", at=AT, body=body)


def project(*parties: str, stages: list[Stage] | None = None) -> Project:
    return Project(id="p", kind=ProjectKind.PROJECT, title="t", goals="", directions=(1,),
                   lead_party="KAZ", origin_party="KAZ", proposed_at=AT,
                   participations=[Participation(p, date(2026, 11, 1), "x") for p in parties],
                   stages=stages or [])


def stage(deadline: date, *consenting: str, done: date | None = None) -> Stage:
    return Stage(id="s", position=1, title="t", deliverables=(), deadline=deadline,
                 consents=[Consent(p, 1, "x", AT) for p in consenting], completed_on=done)


def document(restricted_to: tuple[str, ...] | None) -> Document:
    return Document(id="d", project_id="p", title="Secret", description="", language="ru",
                    classification="restricted" if restricted_to else "open",
                    restricted_to=restricted_to, origin_party="KAZ", created_at=AT)


@pytest.mark.parametrize(("kind", "actor", "restricted_to", "told"), [
    (EventKind.DOCUMENT_CIRCULATED, "KAZ", None, {"RUS", "BLR"}),  # every other participant
    (EventKind.DOCUMENT_CIRCULATED, "KAZ", ("RUS",), {"RUS"}),  # Art. 6: the Parties named
    (EventKind.DOCUMENT_CIRCULATED, "KAZ", ("ARM",), None),  # named, but not taking part
    (EventKind.DOCUMENT_COMMENTED, "RUS", None, {"KAZ"}),  # the uploader only
    (EventKind.DOCUMENT_COMMENTED, "KAZ", None, None),  # the uploader's own comment
    (EventKind.DOCUMENT_AGREED, "BLR", ("BLR",), {"KAZ"}),  # the uploader always may see it
    (EventKind.DOCUMENT_ADOPTED, "KAZ", None, {"RUS", "BLR"}),
    (EventKind.DOCUMENT_ADOPTED, "KAZ", ("BLR",), {"BLR"}),  # Art. 6 still
    (EventKind.DOCUMENT_VERSION_ADDED, "KAZ", None, None),  # not told
])
def test_a_document_event_is_told_to_the_parties_that_may_see_it_and_it_concerns(
        kind: EventKind, actor: str, restricted_to: tuple[str, ...] | None,
        told: set[str] | None) -> None:
    notice = notices.of_document_event(event(kind, actor), document(restricted_to),
                                       project("KAZ", "RUS", "BLR"), TODAY)
    assert (notice.parties if notice else None) == told
    assert notice is None or ("Secret" not in str(notice) and notice.kind.endswith(
        kind.value.removeprefix("document_")))


@pytest.mark.parametrize(("kind", "actor", "told"), [
    (EventKind.REVIEW_REQUESTED, "KAZ", {"RUS", "BLR"}),  # the Parties asked
    (EventKind.REVIEW_CONCLUDED, "RUS", {"KAZ"}),  # the requester
    (EventKind.REVIEW_CONCLUDED, "KAZ", None),  # the requester's own expert
    (EventKind.REVIEW_DECLINED, "RUS", None),  # not told
])
def test_a_review_request_is_told_to_the_parties_asked_and_a_conclusion_to_the_requester(
        kind: EventKind, actor: str, told: set[str] | None) -> None:
    review = Review(id="v", origin="KAZ", requested_at=AT, title="Secret", summary="",
                    directions=(16,), url=None, asked=("RUS", "BLR"),
                    deadline=date(2027, 1, 1), restricted=True)
    notice = notices.of_review_event(event(kind, actor), review)
    assert (notice.parties if notice else None) == told
    assert notice is None or ("Secret" not in str(notice)
                              and notice.path == "/workspace/reviews/v")


def test_a_deadline_awaits_consent_only_from_the_parties_that_have_not_given_it() -> None:
    folded = project("KAZ", "RUS", "BLR", stages=[stage(date(2027, 1, 1), "RUS")])
    notice = notices.of_project_event(event(EventKind.DEADLINE_CHANGED, stage_id="s"),
                                      folded, TODAY)
    assert notice is not None and notice.parties == {"KAZ", "BLR"}
    joined = notices.of_project_event(event(EventKind.JOINED, "RUS"), folded, TODAY)
    assert joined is not None and joined.parties == {"KAZ", "BLR"}


def test_a_dispute_is_told_to_the_parties_concerned_other_than_the_opener() -> None:
    dispute = Dispute(id="d", subject="Secret", matter=Matter.INTERPRETATION, articles=(6,),
                      opener="KAZ", concerned=("KAZ", "RUS"), opened_at=AT)
    notice = notices.of_record_opened(event(EventKind.DISPUTE_OPENED), dispute)
    assert notice is not None
    assert notice.parties == {"RUS"} and notice.authorized_bodies_only


@pytest.mark.parametrize(("stages", "told"), [
    ([stage(date(2026, 11, 30), "KAZ", "RUS")], "deadline_soon"),
    ([stage(date(2026, 11, 20), "KAZ", "RUS")], "deadline_overdue"),
    ([stage(date(2026, 11, 30), "KAZ")], None),  # not agreed: consent is what is awaited
    ([stage(date(2026, 11, 20), "KAZ", "RUS", done=date(2026, 11, 19))], None),  # completed
    ([stage(date(2027, 11, 20), "KAZ", "RUS")], None),
])
def test_only_agreed_open_stages_near_or_past_their_deadline_are_told(
        stages: list[Stage], told: str | None) -> None:
    found = notices.stage_deadlines(project("KAZ", "RUS", stages=stages), TODAY)
    assert [n.kind.removeprefix("workspace:") for n in found] == ([told] if told else [])
    assert all(n.parties == {"KAZ", "RUS"} for n in found)


def test_a_follow_up_action_is_told_to_its_owner_until_done() -> None:
    consultation = Consultation(id="c", subject="s", articles=(12,), requester="KAZ",
                                invited=("RUS",), requested_at=AT, actions=[
                                    Action("a1", "x", "RUS", date(2026, 11, 28), "KAZ"),
                                    Action("a2", "x", "KAZ", date(2026, 11, 20), "KAZ",
                                           done_on=date(2026, 11, 19))])
    [found] = notices.action_deadlines(consultation, TODAY)
    assert found.parties == {"RUS"} and found.dedupe == "deadline:a1:2026-11-28:soon"


def test_the_mail_of_a_notice_holds_its_kind_deadline_and_link_only() -> None:
    subject, body = workspace_mail_text("workspace:deadline_soon", {"deadline": "2026-12-01",
                                                                    "party": "RUS"},
                                        "https://k.example/workspace/projects/p", str)
    assert WORKSPACE_TITLES["workspace:deadline_soon"] in subject
    assert "2026-12-01" in body and "https://k.example/workspace/projects/p" in body
    assert "RUS" not in body


KEPT = [  # the stage -> kept as a candidate of the deadline pass?
    (stage(date(2027, 1, 1), "KAZ", "RUS"), True),  # agreed
    (stage(date(2027, 1, 1), "KAZ"), True),  # RUS awaited: agreed if RUS withdraws (Art. 15)
    (stage(date(2027, 1, 1)), False),  # no consent: agreed whoever withdraws? never
    (stage(date(2027, 1, 1), "KAZ", "RUS", done=date(2026, 12, 1)), False),  # completed
]


@pytest.mark.parametrize(("kept", "expected"), KEPT)
def test_a_stage_is_a_candidate_while_open_and_consented_to_by_one_party_at_least(
        kept: Stage, expected: bool) -> None:
    folded = project("KAZ", "RUS", stages=[kept])
    assert bool(notices.kept_stage_deadlines(folded)) is expected
    # a candidate is a superset of what is told, on any day and whoever takes part
    for day in (date(2026, 12, 25), date(2026, 12, 31), date(2027, 2, 1)):
        for parties in (("KAZ", "RUS"), ("KAZ",)):
            if notices.stage_deadlines(project(*parties, stages=[kept]), day):
                assert expected


def test_a_changed_deadline_is_no_candidate_until_consented_to_again() -> None:
    changed = stage(date(2027, 1, 1), "KAZ", "RUS")
    changed.revision, changed.deadline = 2, date(2026, 12, 20)
    assert notices.kept_stage_deadlines(project("KAZ", "RUS", stages=[changed])) == []
    changed.consents.append(Consent("KAZ", 2, "x", AT))
    assert notices.kept_stage_deadlines(project("KAZ", "RUS", stages=[changed])) == [
        notices.KeptDeadline("s", date(2026, 12, 20))]


@pytest.mark.parametrize(("today", "last"), [
    (date(2026, 11, 25), date(2026, 12, 2)),  # 7 days on: still `soon`
    (date(2026, 12, 28), date(2027, 1, 4)),
])
def test_the_pass_reads_the_deadlines_due_by_seven_days_on(today: date, last: date) -> None:
    assert notices.horizon(today) == last
    assert threshold(last, today) is Threshold.SOON
    assert threshold(last + timedelta(days=1), today) is None


def test_an_action_is_a_candidate_until_done() -> None:
    open_ = Action("a", "Draft", "RUS", date(2026, 12, 1), "x")
    done = Action("b", "Draft", "RUS", date(2026, 12, 1), "x", done_on=date(2026, 11, 20))
    held = Consultation(id="c", subject="s", articles=(12,), requester="KAZ",
                        invited=("RUS",), requested_at=AT, actions=[open_, done])
    assert notices.kept_action_deadlines(held) == [notices.KeptDeadline("a", date(2026, 12, 1))]

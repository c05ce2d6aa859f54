"""Who is told of what happens in the workspace, and of deadlines near or past (issue 15 item 10;
docs/decisions/0025-workspace-notifications.md).

Each rule names the Parties a notice is for, from the record's fold as it stands when the pass
runs, and never a Party the record is hidden from:

* a Party joining a project: the other Parties taking part (Art. 4);
* a stage added or its deadline changed: the participating Parties whose consent is still
  awaited for the current revision (Art. 5);
* a document circulated for comment: the Parties taking part, other than the circulating
  one, that may see it; a restricted-access document only the Parties it names (Art. 5, 6);
* a document commented on or agreed to by another Party: the Party that uploaded it (Art. 5);
* a document adopted: every participant that may see it (Art. 5, 6);
* a request for expert review: the Parties asked; its conclusion: the requesting Party (Art. 3
  direction 16; a restricted review is seen by no one else anyway, Art. 6);
* a consultation requested: the Parties invited (Art. 4, 12);
* a dispute opened: the Parties concerned other than the opener, and only their authorized
  bodies (`access.dispute_view` FULL; Art. 12);
* a communication check launched: the Parties checked (Art. 8, 9);
* a gathering announced: every Party but the organizer (Art. 9).

A deadline (an agreed stage's, a consultation's follow-up action's) gives one notice per
threshold: `soon` when 0-7 days remain, `overdue` once passed (Art. 5). What a notice carries
(`facts`) is never the record's content: a deadline date, a revision, the acting Party.

The daily pass does not fold every record to find those deadlines: each write that changes them
keeps the record's `kept_deadlines` (the candidates) beside its events, and the pass reads only
the candidates due by `horizon(today)`, folds their records and applies the rules below to them
(docs/decisions/0025, "Indexed deadlines"). A candidate is a superset of a told deadline, so the
notices are those of a fold of every record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from kelisim.domain.workspace import documents as document_rules
from kelisim.domain.workspace import stages as stage_rules
from kelisim.domain.workspace.checks import Check
from kelisim.domain.workspace.consultations import Consultation
from kelisim.domain.workspace.disputes import Dispute
from kelisim.domain.workspace.documents import Document
from kelisim.domain.workspace.gatherings import Gathering
from kelisim.domain.workspace.project import Event, EventKind, Project
from kelisim.domain.workspace.reviews import Review
from kelisim.domain.workspace.stages import Stage

SOON_DAYS = 7
"""Issue 15 item 10: a deadline in 7 days or fewer is near."""
PREFIX = "workspace:"


class Threshold(StrEnum):
    SOON = "soon"
    OVERDUE = "overdue"


NOTICE_KINDS = (
    "joined", "consent_awaited", "document_circulated", "consultation_requested",
    "dispute_opened", "check_launched", "gathering_announced", "deadline_soon",
    "deadline_overdue", "document_commented", "document_agreed", "document_adopted",
    "review_requested", "review_concluded")
"""The `kind` of a workspace notice is `workspace:` and one of these."""


@dataclass(frozen=True)
class WorkspaceNotice:
    """One notice to the accounts of `parties` (None: every Party), once per account by
    `dedupe`; `authorized_bodies_only` for what only they may see (a dispute, Art. 12)."""

    kind: str
    record_id: str
    path: str
    parties: frozenset[str] | None
    dedupe: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    authorized_bodies_only: bool = False


def threshold(deadline: date, today: date) -> Threshold | None:
    """Art. 5, issue 15 item 10: overdue once the day has passed, soon within 7 days."""
    if deadline < today:
        return Threshold.OVERDUE
    if (deadline - today).days <= SOON_DAYS:
        return Threshold.SOON
    return None


def project_path(project_id: str) -> str:
    return f"/workspace/projects/{project_id}"


def of_project_event(event: Event, project: Project, today: date) -> WorkspaceNotice | None:
    """A Party joined (Art. 4), or a deadline awaits consent (Art. 5)."""
    participants = project.participants(today)
    path = project_path(project.id)
    if event.kind is EventKind.JOINED:
        return WorkspaceNotice(PREFIX + "joined", project.id, path,
                               participants - {event.origin_party}, event.id,
                               {"party": event.origin_party})
    if event.kind in (EventKind.STAGE_ADDED, EventKind.DEADLINE_CHANGED):
        stage = project.stage(str(event.body.get("stage_id")))
        if stage is None or stage.completed_on is not None:
            return None
        return WorkspaceNotice(PREFIX + "consent_awaited", project.id, path,
                               stage_rules.awaited(stage, participants), event.id,
                               {"deadline": stage.deadline.isoformat(),
                                "revision": stage.revision})
    return None


def of_document_event(event: Event, doc: Document, project: Project,
                      today: date) -> WorkspaceNotice | None:
    """Art. 5, 6: a document circulated or adopted, for the participants that may see it; a
    comment or an agreement, for the Party that uploaded it. Never a Party a restriction leaves
    out, never the Party that acted."""
    kind = DOCUMENT_KINDS.get(event.kind)
    if kind is None:
        return None
    readers = document_rules.required_parties(doc, project.participants(today))
    parties = readers & {doc.origin_party} if event.kind in _TO_UPLOADER else readers
    parties -= {event.origin_party}
    if not parties:
        return None
    return WorkspaceNotice(PREFIX + kind, doc.id,
                           f"{project_path(project.id)}/documents/{doc.id}", parties, event.id,
                           {"party": event.origin_party})


DOCUMENT_KINDS: dict[EventKind, str] = {
    EventKind.DOCUMENT_CIRCULATED: "document_circulated",
    EventKind.DOCUMENT_COMMENTED: "document_commented",
    EventKind.DOCUMENT_AGREED: "document_agreed",
    EventKind.DOCUMENT_ADOPTED: "document_adopted",
}
"""The document events that tell someone, and the notice each gives."""
_TO_UPLOADER = frozenset({EventKind.DOCUMENT_COMMENTED, EventKind.DOCUMENT_AGREED})


def of_review_event(event: Event, review: Review) -> WorkspaceNotice | None:
    """Art. 3 direction 16: a request, for the Parties asked; a conclusion, for the requester."""
    if event.kind is EventKind.REVIEW_REQUESTED:
        kind, parties = "review_requested", frozenset(review.asked)
    elif event.kind is EventKind.REVIEW_CONCLUDED:
        kind, parties = "review_concluded", frozenset({review.origin})
    else:
        return None
    parties -= {event.origin_party}
    if not parties:
        return None
    return WorkspaceNotice(PREFIX + kind, review.id, f"/workspace/reviews/{review.id}",
                           parties, event.id, {"party": event.origin_party})


REVIEW_EVENTS = frozenset({EventKind.REVIEW_REQUESTED, EventKind.REVIEW_CONCLUDED})
"""The review events that tell someone."""


def of_record_opened(event: Event, record: Consultation | Dispute | Check | Gathering
                     ) -> WorkspaceNotice | None:
    """The first event of a consultation, dispute, check or gathering."""
    if isinstance(record, Consultation):
        return WorkspaceNotice(PREFIX + "consultation_requested", record.id,
                               f"/workspace/consultations/{record.id}",
                               frozenset(record.invited) - {record.requester}, event.id,
                               {"party": record.requester})
    if isinstance(record, Dispute):
        return WorkspaceNotice(PREFIX + "dispute_opened", record.id,
                               f"/workspace/disputes/{record.id}",
                               frozenset(record.concerned) - {record.opener}, event.id,
                               {"party": record.opener}, authorized_bodies_only=True)
    if isinstance(record, Check):
        return WorkspaceNotice(PREFIX + "check_launched", record.id,
                               f"/workspace/checks/{record.id}", frozenset(record.parties),
                               event.id, {"deadline": record.deadline.isoformat()})
    return WorkspaceNotice(PREFIX + "gathering_announced", record.id,
                           f"/workspace/gatherings/{record.id}", None, event.id,
                           {"party": record.organizer})


def stage_deadlines(project: Project, today: date) -> list[WorkspaceNotice]:
    """Art. 5: each stage not completed whose deadline is agreed, near or past, for the Parties
    taking part; once per stage, deadline and threshold."""
    participants = project.participants(today)
    found = []
    for stage in project.stages:
        if stage.completed_on is not None or not stage_rules.deadline_agreed(stage,
                                                                            participants):
            continue
        level = threshold(stage.deadline, today)
        if level is not None:
            found.append(_deadline(project.id, project_path(project.id), stage.id,
                                   stage.deadline, level, participants))
    return found


def action_deadlines(consultation: Consultation, today: date) -> list[WorkspaceNotice]:
    """Art. 4, 12: each follow-up action not done, near or past, for its owner Party."""
    found = []
    for action in consultation.actions:
        level = None if action.done_on is not None else threshold(action.deadline, today)
        if level is not None:
            found.append(_deadline(consultation.id, f"/workspace/consultations/"
                                   f"{consultation.id}", action.id, action.deadline, level,
                                   frozenset({action.owner})))
    return found


def _deadline(record_id: str, path: str, item: str, deadline: date, level: Threshold,
              parties: frozenset[str]) -> WorkspaceNotice:
    return WorkspaceNotice(f"{PREFIX}deadline_{level.value}", record_id, path, parties,
                           f"deadline:{item}:{deadline.isoformat()}:{level.value}",
                           {"deadline": deadline.isoformat()})


# --- the candidates the deadline pass reads (indexed on the write path) -------------------------

STAGE_DEADLINE_EVENTS = frozenset({EventKind.STAGE_ADDED, EventKind.DEADLINE_CHANGED,
                                   EventKind.DEADLINE_CONSENTED, EventKind.STAGE_COMPLETED})
"""The project events that change which of its stage deadlines may be told, or their dates."""
ACTION_DEADLINE_EVENTS = frozenset({EventKind.CONSULTATION_ACTION_ADDED,
                                    EventKind.CONSULTATION_ACTION_DONE})
"""The consultation events that change its follow-up actions' deadlines that may be told."""


@dataclass(frozen=True)
class KeptDeadline:
    """A deadline that may be told on some day (a stage's or a follow-up action's): `item` is
    the stage or action id, `due` its current deadline."""

    item: str
    due: date


def horizon(today: date) -> date:
    """The last deadline `threshold` tells on `today`: every candidate due on or before it."""
    return date.fromordinal(today.toordinal() + SOON_DAYS)


def may_be_agreed(stage: Stage) -> bool:
    """Art. 5: a stage not completed whose current revision has at least one consent. Without
    one no set of participants is agreed (`deadline_agreed` needs one Party at least, all of
    whom consented), whoever withdraws; with one, a withdrawal (Art. 15, read from the
    depositary's ledger on the day, never a workspace event) may make it agreed, so it stays a
    candidate and `stage_deadlines` decides on the day."""
    return stage.completed_on is None and bool(stage.consenting())


def kept_stage_deadlines(project: Project) -> list[KeptDeadline]:
    """The project's stages that `stage_deadlines` may tell of on some day."""
    return [KeptDeadline(s.id, s.deadline) for s in project.stages if may_be_agreed(s)]


def kept_action_deadlines(consultation: Consultation) -> list[KeptDeadline]:
    """The consultation's follow-up actions not done (`action_deadlines` tells of them)."""
    return [KeptDeadline(a.id, a.deadline) for a in consultation.actions if a.done_on is None]

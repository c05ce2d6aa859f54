"""A program or project as the fold of its events (Art. 3, 4, 5, 7).

The events are the record (docs/decisions/0015-workspace.md): each has a global id (uuid4), the
Party it originated with, the account that acted and when. `fold` replays them into the current
state; what depends on the day (who still takes part, which deadlines are agreed or overdue) is
computed by `view`, from that state, the day and the Parties' withdrawal dates (Art. 15).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kelisim.domain.errors import N_, InvalidInput, Message
from kelisim.domain.workspace import costs as cost_rules
from kelisim.domain.workspace import participation as joining
from kelisim.domain.workspace import stages as stage_rules
from kelisim.domain.workspace.costs import Cost
from kelisim.domain.workspace.participation import Participation
from kelisim.domain.workspace.stages import Consent, Stage

DIRECTIONS = range(1, 20)
"""Art. 3: the nineteen directions of cooperation, the vocabulary of a project's subject."""


class ProjectKind(StrEnum):
    PROGRAM = "program"  # Art. 4: solves information-security problems as a whole
    PROJECT = "project"  # Art. 4: for concrete directions of mutual interest


class EventKind(StrEnum):
    PROPOSED = "proposed"
    JOINED = "joined"
    STAGE_ADDED = "stage_added"
    DEADLINE_CHANGED = "deadline_changed"
    DEADLINE_CONSENTED = "deadline_consented"
    STAGE_COMPLETED = "stage_completed"
    COST_RECORDED = "cost_recorded"
    SHARES_PROPOSED = "shares_proposed"
    SHARES_CONSENTED = "shares_consented"
    # consultations (Art. 4, 12; domain/workspace/consultations.py): records of their own
    CONSULTATION_REQUESTED = "consultation_requested"
    CONSULTATION_ANSWERED = "consultation_answered"
    CONSULTATION_SCHEDULED = "consultation_scheduled"
    CONSULTATION_MINUTES = "consultation_minutes"
    CONSULTATION_ACTION_ADDED = "consultation_action_added"
    CONSULTATION_ACTION_DONE = "consultation_action_done"
    # training, conferences, meetings (Art. 3 directions 17-19, Art. 9; gatherings.py)
    GATHERING_ANNOUNCED = "gathering_announced"
    GATHERING_REGISTERED = "gathering_registered"
    GATHERING_WITHDRAWN = "gathering_withdrawn"
    GATHERING_RESCHEDULED = "gathering_rescheduled"
    GATHERING_MATERIAL_ADDED = "gathering_material_added"
    GATHERING_CANCELLED = "gathering_cancelled"
    # the library of best practice (Art. 3 direction 19, Art. 9; practices.py)
    PRACTICE_PUBLISHED = "practice_published"
    PRACTICE_TRANSLATED = "practice_translated"
    PRACTICE_REVISED = "practice_revised"
    PRACTICE_WITHDRAWN = "practice_withdrawn"
    # documents circulated for comment (Art. 5, 6; domain/workspace/documents.py)
    DOCUMENT_UPLOADED = "document_uploaded"
    DOCUMENT_VERSION_ADDED = "document_version_added"
    DOCUMENT_CIRCULATED = "document_circulated"
    DOCUMENT_COMMENTED = "document_commented"
    DOCUMENT_AGREED = "document_agreed"
    DOCUMENT_ADOPTED = "document_adopted"
    # disputes (Art. 12; domain/workspace/disputes.py): records of their own
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_LOGGED = "dispute_logged"
    DISPUTE_SHARE_CONSENTED = "dispute_share_consented"
    DISPUTE_SETTLED = "dispute_settled"
    # points of contact and communication checks (Art. 8, 9; domain/workspace/contacts.py)
    CONTACT_ADDED = "contact_added"
    CONTACT_CHANGED = "contact_changed"
    CONTACT_RETIRED = "contact_retired"
    CHECK_LAUNCHED = "check_launched"
    CHECK_ACKNOWLEDGED = "check_acknowledged"  # a record per target: one answer each
    # requests for expert review of R&D work (Art. 3 direction 16, Art. 6, 9; reviews.py)
    REVIEW_REQUESTED = "review_requested"
    REVIEW_EXPERTS_ASSIGNED = "review_experts_assigned"
    REVIEW_DECLINED = "review_declined"
    REVIEW_CONCLUDED = "review_concluded"
    REVIEW_CLOSED = "review_closed"
    # proposals of amendments and additions to the Agreement (Art. 11; decision 0026)
    AMENDMENT_PROPOSED = "amendment_proposed"
    AMENDMENT_DISCUSSED = "amendment_discussed"
    AMENDMENT_CONSENTED = "amendment_consented"
    AMENDMENT_WITHDRAWN = "amendment_withdrawn"


@dataclass(frozen=True)
class Event:
    id: str
    record_id: str
    position: int
    kind: EventKind
    origin_party: str
    actor_account: int | None
    actor_name: str
    at: datetime
    body: Mapping[str, Any]


@dataclass
class Project:
    id: str
    kind: ProjectKind
    title: str
    goals: str
    directions: tuple[int, ...]
    lead_party: str
    origin_party: str
    proposed_at: datetime
    participations: list[Participation] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    # every cost recorded, summed {party: {currency: sum}} and counted, as they are applied;
    # the costs themselves are read from their events a page at a time (`cost_of`), never
    # held here, so that a read of a project with thousands of costs restores none of them
    cost_totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    cost_count: int = 0
    shares: dict[str, Decimal] | None = None
    shares_revision: int = 0
    shares_consents: list[Consent] = field(default_factory=list)
    last_position: int = 0

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def participants(self, on: date) -> frozenset[str]:
        return joining.active_parties(self.participations, on)

    def shares_consenting(self) -> frozenset[str]:
        return frozenset(c.party for c in self.shares_consents
                         if c.revision == self.shares_revision)


def parse_directions(values: Sequence[int]) -> tuple[int, ...]:
    if not values or any(v not in DIRECTIONS for v in values):
        raise InvalidInput(Message(N_("Name one or more directions of cooperation, numbered "
                                      "1-19 (Art. 3).")), field="directions", article="Art. 3")
    return tuple(sorted(set(values)))


def fold(events: Sequence[Event], withdrawal_dates: Mapping[str, Sequence[date]]) -> Project:
    """Replay a project's events, in order; the first is its proposal."""
    first = events[0]
    body = first.body
    project = Project(id=first.record_id, kind=ProjectKind(body["kind"]), title=body["title"],
                      goals=body.get("goals", ""), directions=tuple(body["directions"]),
                      lead_party=first.origin_party, origin_party=first.origin_party,
                      proposed_at=first.at)
    return advance(project, events, withdrawal_dates)


def advance(project: Project, events: Sequence[Event],
            withdrawal_dates: Mapping[str, Sequence[date]]) -> Project:
    """Replay the events that follow `project` (its fold so far, a snapshot's restored state),
    in order, onto it; the same as folding every event from the proposal."""
    for event in events:
        _apply(project, event, withdrawal_dates)
        project.last_position = event.position
    return project


def _apply(project: Project, event: Event,
           withdrawal_dates: Mapping[str, Sequence[date]]) -> None:
    body, kind = event.body, event.kind
    if kind in (EventKind.PROPOSED, EventKind.JOINED):
        joined = event.at.date()
        project.participations.append(Participation(
            party=event.origin_party, joined_on=joined, joined_by=event.actor_name,
            ends_on=joining.ends_on(joined, withdrawal_dates.get(event.origin_party, ()))))
    elif kind is EventKind.STAGE_ADDED:
        project.stages.append(Stage(
            id=body["stage_id"], position=len(project.stages) + 1, title=body["title"],
            deliverables=tuple(body.get("deliverables", ())),
            deadline=date.fromisoformat(body["deadline"])))
    elif kind is EventKind.DEADLINE_CHANGED:
        stage = _stage(project, body)
        stage.deadline = date.fromisoformat(body["deadline"])
        stage.revision += 1
    elif kind is EventKind.DEADLINE_CONSENTED:
        _stage(project, body).consents.append(Consent(
            event.origin_party, int(body["revision"]), event.actor_name, event.at))
    elif kind is EventKind.STAGE_COMPLETED:
        _stage(project, body).completed_on = event.at.date()
    elif kind is EventKind.COST_RECORDED:
        row = project.cost_totals.setdefault(event.origin_party, {})
        currency = body["currency"]
        row[currency] = row.get(currency, Decimal()) + Decimal(body["amount"])
        project.cost_count += 1
    elif kind is EventKind.SHARES_PROPOSED:
        project.shares = {p: Decimal(s) for p, s in body["shares"].items()}
        project.shares_revision += 1
    elif kind is EventKind.SHARES_CONSENTED:
        project.shares_consents.append(Consent(
            event.origin_party, int(body["revision"]), event.actor_name, event.at))


def cost_of(event: Event) -> Cost:
    """The cost a `cost_recorded` event records (Art. 7)."""
    body = event.body
    return Cost(id=body["cost_id"], party=event.origin_party, amount=Decimal(body["amount"]),
                currency=body["currency"], stage_id=body.get("stage_id"),
                description=body.get("description", ""), recorded_by=event.actor_name,
                position=event.position)


def _stage(project: Project, body: Mapping[str, Any]) -> Stage:
    stage = project.stage(str(body["stage_id"]))
    if stage is None:  # the services check before appending; a replicated record may not
        raise InvalidInput(Message(N_("No stage {stage} in project {project}."),
                                   stage=str(body["stage_id"]), project=project.id),
                           field="stage_id")
    return stage


def view(project: Project, today: date, costs: Sequence[Cost] = (),
         costs_next: int | None = None) -> dict[str, Any]:
    """The project as read on `today`: who takes part, each stage's agreement and lateness,
    the cost arrangement in force and the totals (Art. 4, 5, 7). The costs listed are
    `costs` (a page of them; `costs_next` the position after which the next page starts, None
    after the last); the totals and `recorded_count` count every cost recorded."""
    participants = project.participants(today)
    agreed_shares = cost_rules.shares_agreed(project.shares, project.shares_consenting(),
                                             participants)
    return {
        "id": project.id, "kind": project.kind.value, "title": project.title,
        "goals": project.goals, "directions": list(project.directions),
        "lead_party": project.lead_party, "origin_party": project.origin_party,
        "proposed_at": project.proposed_at.isoformat(),
        "participants": sorted(participants),
        "participations": [
            {"party": p.party, "joined_on": p.joined_on.isoformat(), "joined_by": p.joined_by,
             "ends_on": p.ends_on.isoformat() if p.ends_on else None,
             "active": p.active_on(today)} for p in project.participations],
        "stages": [_stage_view(s, participants, today) for s in project.stages],
        "costs": costs_view(project, agreed_shares, costs, costs_next),
    }


def _stage_view(stage: Stage, participants: frozenset[str], today: date) -> dict[str, Any]:
    return {
        "id": stage.id, "position": stage.position, "title": stage.title,
        "deliverables": list(stage.deliverables), "deadline": stage.deadline.isoformat(),
        "revision": stage.revision,
        "agreed": stage_rules.deadline_agreed(stage, participants),
        "consents": [{"party": c.party, "by": c.by, "at": c.at.isoformat()}
                     for c in stage.consents if c.revision == stage.revision],
        "awaiting": sorted(stage_rules.awaited(stage, participants)),
        "completed_on": stage.completed_on.isoformat() if stage.completed_on else None,
        "overdue": stage_rules.overdue(stage, today),
    }


def costs_view(project: Project, agreed: bool, costs: Sequence[Cost] = (),
               costs_next: int | None = None) -> dict[str, Any]:
    shares = project.shares if agreed else None
    return {
        "arrangement": "agreed_shares" if agreed else "own_costs",
        "article": "Art. 7",
        "shares": {p: str(s) for p, s in (shares or {}).items()},
        "proposed_shares": ({p: str(s) for p, s in project.shares.items()}
                            if project.shares is not None else None),
        "shares_revision": project.shares_revision,
        "shares_consented_by": sorted(project.shares_consenting()),
        "recorded": [cost_view(c) for c in costs],
        "recorded_count": project.cost_count,
        "recorded_next": costs_next,
        "totals_by_party": _strings(dict(sorted(project.cost_totals.items()))),
        "totals_by_currency": {k: str(v) for k, v in
                               cost_rules.per_currency_of(project.cost_totals).items()},
        "borne_by_party": _strings(cost_rules.borne_of(project.cost_totals, shares)),
    }


def cost_view(cost: Cost) -> dict[str, Any]:
    return {"id": cost.id, "position": cost.position, "party": cost.party,
            "amount": str(cost.amount), "currency": cost.currency, "stage_id": cost.stage_id,
            "description": cost.description, "recorded_by": cost.recorded_by}


def _strings(table: Mapping[str, Mapping[str, Decimal]]) -> dict[str, dict[str, str]]:
    return {party: {cur: str(amount) for cur, amount in row.items()}
            for party, row in table.items()}

"""Programs and projects, their stages and costs, as use cases (Art. 3, 4, 5, 7; issue 15).

Each use case reads the project's events, checks the rule (domain/workspace/), appends one event
and rebuilds the projection, all in one transaction. Access is asked of domain/access.py first;
the Party acting is always the acting account's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, InvalidInput, Message, NotFound, RuleViolation
from kelisim.domain.inputs import stored_text
from kelisim.domain.workspace import costs as cost_rules
from kelisim.domain.workspace import participation as joining
from kelisim.domain.workspace import stages as stage_rules
from kelisim.domain.workspace.project import (
    Event,
    EventKind,
    Project,
    ProjectKind,
    fold,
    parse_directions,
    view,
)
from kelisim.services.participation import party_state_on, withdrawal_dates_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository

MAX_TEXT = 5000


def propose_project(rt: Runtime, principal: Principal, *, kind: str, title: str,
                    directions: Sequence[int], goals: str = "") -> dict[str, Any]:
    """Art. 4: an authorized body proposes a program or project; its Party leads and takes part."""
    party = acting_party(principal)
    try:
        parsed_kind = ProjectKind(kind)
    except ValueError:
        raise InvalidInput(Message(N_("kind is program or project (Art. 4).")),
                           field="kind") from None
    body = {"kind": parsed_kind.value, "title": bounded_text(title, "title", 500),
            "goals": bounded_text(goals, "goals", MAX_TEXT, optional=True),
            "directions": list(parse_directions(directions))}
    record_id = str(uuid.uuid4())
    with rt.unit_of_work() as uow:
        today = rt.clock().date()
        joining.check_may_join(party, party_state_on(rt, party, today, uow), today, [])
        return _append(rt, uow, principal, record_id, [], EventKind.PROPOSED, body)


def join_project(rt: Runtime, principal: Principal, project_id: str) -> dict[str, Any]:
    """Art. 4, 13-15: a Party for which the Agreement is in force joins."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        joining.check_may_join(party, party_state_on(rt, party, today, uow), today,
                               project.participations)
        return _append(rt, uow, principal, project_id, events, EventKind.JOINED, {})


def add_stage(rt: Runtime, principal: Principal, project_id: str, *, title: str,
              deadline: date, deliverables: Sequence[str] = ()) -> dict[str, Any]:
    """Art. 5: the lead Party adds the next stage, with its deliverables and deadline."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        _require_lead(project, party, today)
        position = len(project.stages) + 1
        stage_rules.check_order(project.stages, position, deadline)
        body = {"stage_id": str(uuid.uuid4()), "title": bounded_text(title, "title", 500),
                "deliverables": [bounded_text(d, "deliverables", 500) for d in deliverables],
                "deadline": deadline.isoformat()}
        return _append(rt, uow, principal, project_id, events, EventKind.STAGE_ADDED, body)


def change_deadline(rt: Runtime, principal: Principal, project_id: str, stage_id: str,
                    deadline: date) -> dict[str, Any]:
    """Art. 5: the lead Party changes a deadline; every Party's consent is needed again."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        _require_lead(project, party, today)
        stage = _stage(project, stage_id)
        stage_rules.check_not_completed(stage)
        stage_rules.check_order(project.stages, stage.position, deadline)
        body = {"stage_id": stage.id, "deadline": deadline.isoformat()}
        return _append(rt, uow, principal, project_id, events, EventKind.DEADLINE_CHANGED,
                       body)


def consent_to_deadline(rt: Runtime, principal: Principal, project_id: str, stage_id: str,
                        revision: int, for_party: str | None = None) -> dict[str, Any]:
    """Art. 5: a participating Party consents to the deadline (the revision it saw); a request
    naming another Party (`for_party`) is refused, never recorded as the actor's own."""
    party = acting_party(principal)
    joining.check_acts_for(party, for_party)
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        joining.check_participant(party, project.participations, today, "consent to deadlines")
        stage = _stage(project, stage_id)
        stage_rules.check_consent(stage, party, revision)
        return _append(rt, uow, principal, project_id, events, EventKind.DEADLINE_CONSENTED,
                       {"stage_id": stage.id, "revision": revision})


def complete_stage(rt: Runtime, principal: Principal, project_id: str,
                   stage_id: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        _require_lead(project, party, today)
        stage = _stage(project, stage_id)
        stage_rules.check_completion(project.stages, stage)
        return _append(rt, uow, principal, project_id, events, EventKind.STAGE_COMPLETED,
                       {"stage_id": stage.id})


def record_cost(rt: Runtime, principal: Principal, project_id: str, *, amount: str,
                currency: str, stage_id: str | None = None,
                description: str = "") -> dict[str, Any]:
    """Art. 7: a participating Party records a cost it incurred."""
    party = acting_party(principal)
    parsed = cost_rules.parse_amount(amount)
    code = cost_rules.parse_currency(currency)
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        joining.check_participant(party, project.participations, today, "record costs")
        if stage_id is not None:
            _stage(project, stage_id)
        body = {"cost_id": str(uuid.uuid4()), "amount": str(parsed), "currency": code,
                "stage_id": stage_id,
                "description": bounded_text(description, "description", 500, optional=True)}
        return _append(rt, uow, principal, project_id, events, EventKind.COST_RECORDED, body)


def propose_shares(rt: Runtime, principal: Principal, project_id: str,
                   shares: Mapping[str, str]) -> dict[str, Any]:
    """Art. 7 "unless agreed otherwise": the lead Party proposes shares; all must consent."""
    party = acting_party(principal)
    parsed = cost_rules.parse_shares({k.upper(): v for k, v in shares.items()})
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        _require_lead(project, party, today)
        cost_rules.check_shares_name_participants(parsed, project.participants(today))
        return _append(rt, uow, principal, project_id, events, EventKind.SHARES_PROPOSED,
                       {"shares": {p: str(s) for p, s in parsed.items()}})


def consent_to_shares(rt: Runtime, principal: Principal, project_id: str,
                      revision: int) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, project, today = _load(rt, uow, project_id)
        joining.check_participant(party, project.participations, today, "agree cost shares")
        if project.shares is None or revision != project.shares_revision:
            raise RuleViolation(Message(N_("No cost shares of revision {revision} are "
                                           "proposed; the current revision is {current} "
                                           "(Art. 7)."), revision=revision,
                                        current=project.shares_revision),
                                article="Art. 7", field="revision")
        if party in project.shares_consenting():
            raise RuleViolation(Message(N_("{party} already consented to these shares "
                                           "(Art. 7)."), party=party), article="Art. 7")
        return _append(rt, uow, principal, project_id, events, EventKind.SHARES_CONSENTED,
                       {"revision": revision})


def show_project(rt: Runtime, principal: Principal, project_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        _, project, today = _load(rt, uow, project_id)
        return view(project, today)


def list_projects(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    """Newest first, each with its directions (Art. 3) and the Parties taking part today
    (Art. 4, 15), read from the proposal and joining events in one query."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        repo = WorkspaceRepository(uow.connection)
        rows = repo.projects()
        events = repo.memberships([row["id"] for row in rows])
        today = rt.clock().date()
        withdrawals = withdrawal_dates_on(rt, today, uow)
    directions: dict[str, list[int]] = {}
    taking_part: dict[str, list[joining.Participation]] = {}
    for event in events:
        if event.kind is EventKind.PROPOSED:
            directions[event.record_id] = list(event.body.get("directions", []))
        joined = event.at.date()
        taking_part.setdefault(event.record_id, []).append(joining.Participation(
            event.origin_party, joined, event.actor_name,
            joining.ends_on(joined, withdrawals.get(event.origin_party, ()))))
    return [{**row, "proposed_at": row["proposed_at"].isoformat(),
             "directions": directions.get(row["id"], []),
             "participants": sorted(joining.active_parties(taking_part.get(row["id"], []),
                                                           today))}
            for row in rows]


def project_history(rt: Runtime, principal: Principal, project_id: str) -> list[dict[str, Any]]:
    """Every change, who made it and when (issue 15 item 11): the events themselves."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events = WorkspaceRepository(uow.connection).events(project_id)
    if not events or events[0].kind is not EventKind.PROPOSED:
        raise _missing(project_id)
    return records.history(events)


# --- helpers ------------------------------------------------------------------------------------

def acting_party(principal: Principal) -> str:
    """The Party the principal acts for in the workspace (its own; Art. 4, 8)."""
    party = joining.require_acting_body(principal)
    require(principal, Action.ACT_IN_WORKSPACE, party=party)
    return party


def _load(rt: Runtime, uow: UnitOfWork,
          project_id: str) -> tuple[list[Event], Project, date]:
    events = WorkspaceRepository(uow.connection).events(project_id)
    if not events or events[0].kind is not EventKind.PROPOSED:
        raise _missing(project_id)
    today = rt.clock().date()
    return events, fold(events, withdrawal_dates_on(rt, today, uow)), today


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    repo = WorkspaceRepository(uow.connection)
    repo.append(event)
    today = event.at.date()
    project = fold([*events, event], withdrawal_dates_on(rt, today, uow))
    repo.project_rebuilt(project)
    uow.commit()
    return view(project, today)


def _require_lead(project: Project, party: str, today: date) -> None:
    if party != project.lead_party or party not in project.participants(today):
        raise RuleViolation(Message(N_("Stages and cost shares are set by the lead Party "
                                       "({lead}) while it takes part (Art. 5)."),
                                    lead=project.lead_party), article="Art. 5", party=party)


def _stage(project: Project, stage_id: str) -> stage_rules.Stage:
    stage = project.stage(stage_id)
    if stage is None:
        raise NotFound(Message(N_("No stage {stage} in this project."), stage=stage_id),
                       field="stage_id")
    return stage


def _missing(project_id: str) -> NotFound:
    return NotFound(Message(N_("No program or project {project}."), project=project_id),
                    field="project")


def bounded_text(value: str, name: str, limit: int, *, optional: bool = False) -> str:
    text = value.strip()
    if (not text and not optional) or len(text) > limit:
        raise InvalidInput(Message(N_("{name} needs 1 to {limit} characters."), name=name,
                                   limit=limit), field=name)
    return stored_text(text, name)

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
from kelisim.domain.workspace import notices
from kelisim.domain.workspace import participation as joining
from kelisim.domain.workspace import stages as stage_rules
from kelisim.domain.workspace.costs import Cost
from kelisim.domain.workspace.project import (
    EventKind,
    Project,
    ProjectKind,
    advance,
    cost_of,
    cost_view,
    fold,
    parse_directions,
    view,
)
from kelisim.domain.workspace.project_snapshot import VERSION, restore
from kelisim.services.participation import party_state_on, withdrawal_dates_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_deadlines_repository import DeadlinesRepository, RecordKind
from kelisim.storage.workspace_repository import WorkspaceRepository

MAX_TEXT = 5000
MAX_PAGE = 1000
"""The most events, costs or documents one keyset page holds (the API's `limit`)."""
MAX_POSITION = 2**31 - 1
"""The largest position a page's `after` may name (the positions are 32-bit integers)."""
COSTS_PAGE = 100
"""The costs a project's resource lists (the first page; decision 0015)."""


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
        return _append(rt, uow, principal, record_id, EventKind.PROPOSED, body)


def join_project(rt: Runtime, principal: Principal, project_id: str) -> dict[str, Any]:
    """Art. 4, 13-15: a Party for which the Agreement is in force joins."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        joining.check_may_join(party, party_state_on(rt, party, today, uow), today,
                               project.participations)
        return _append(rt, uow, principal, project, EventKind.JOINED, {})


def add_stage(rt: Runtime, principal: Principal, project_id: str, *, title: str,
              deadline: date, deliverables: Sequence[str] = ()) -> dict[str, Any]:
    """Art. 5: the lead Party adds the next stage, with its deliverables and deadline."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        _require_lead(project, party, today)
        position = len(project.stages) + 1
        stage_rules.check_order(project.stages, position, deadline)
        body = {"stage_id": str(uuid.uuid4()), "title": bounded_text(title, "title", 500),
                "deliverables": [bounded_text(d, "deliverables", 500) for d in deliverables],
                "deadline": deadline.isoformat()}
        return _append(rt, uow, principal, project, EventKind.STAGE_ADDED, body)


def change_deadline(rt: Runtime, principal: Principal, project_id: str, stage_id: str,
                    deadline: date) -> dict[str, Any]:
    """Art. 5: the lead Party changes a deadline; every Party's consent is needed again."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        _require_lead(project, party, today)
        stage = _stage(project, stage_id)
        stage_rules.check_not_completed(stage)
        stage_rules.check_order(project.stages, stage.position, deadline)
        body = {"stage_id": stage.id, "deadline": deadline.isoformat()}
        return _append(rt, uow, principal, project, EventKind.DEADLINE_CHANGED,
                       body)


def consent_to_deadline(rt: Runtime, principal: Principal, project_id: str, stage_id: str,
                        revision: int, for_party: str | None = None) -> dict[str, Any]:
    """Art. 5: a participating Party consents to the deadline (the revision it saw); a request
    naming another Party (`for_party`) is refused, never recorded as the actor's own."""
    party = acting_party(principal)
    joining.check_acts_for(party, for_party)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        joining.check_participant(party, project.participations, today, "consent to deadlines")
        stage = _stage(project, stage_id)
        stage_rules.check_consent(stage, party, revision)
        return _append(rt, uow, principal, project, EventKind.DEADLINE_CONSENTED,
                       {"stage_id": stage.id, "revision": revision})


def complete_stage(rt: Runtime, principal: Principal, project_id: str,
                   stage_id: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        _require_lead(project, party, today)
        stage = _stage(project, stage_id)
        stage_rules.check_completion(project.stages, stage)
        return _append(rt, uow, principal, project, EventKind.STAGE_COMPLETED,
                       {"stage_id": stage.id})


def record_cost(rt: Runtime, principal: Principal, project_id: str, *, amount: str,
                currency: str, stage_id: str | None = None,
                description: str = "") -> dict[str, Any]:
    """Art. 7: a participating Party records a cost it incurred."""
    party = acting_party(principal)
    parsed = cost_rules.parse_amount(amount)
    code = cost_rules.parse_currency(currency)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        joining.check_participant(party, project.participations, today, "record costs")
        if stage_id is not None:
            _stage(project, stage_id)
        body = {"cost_id": str(uuid.uuid4()), "amount": str(parsed), "currency": code,
                "stage_id": stage_id,
                "description": bounded_text(description, "description", 500, optional=True)}
        return _append(rt, uow, principal, project, EventKind.COST_RECORDED, body)


def propose_shares(rt: Runtime, principal: Principal, project_id: str,
                   shares: Mapping[str, str]) -> dict[str, Any]:
    """Art. 7 "unless agreed otherwise": the lead Party proposes shares; all must consent."""
    party = acting_party(principal)
    parsed = cost_rules.parse_shares({k.upper(): v for k, v in shares.items()})
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        _require_lead(project, party, today)
        cost_rules.check_shares_name_participants(parsed, project.participants(today))
        return _append(rt, uow, principal, project, EventKind.SHARES_PROPOSED,
                       {"shares": {p: str(s) for p, s in parsed.items()}})


def consent_to_shares(rt: Runtime, principal: Principal, project_id: str,
                      revision: int) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
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
        return _append(rt, uow, principal, project, EventKind.SHARES_CONSENTED,
                       {"revision": revision})


def show_project(rt: Runtime, principal: Principal, project_id: str, *,
                 costs_limit: int | None = COSTS_PAGE) -> dict[str, Any]:
    """The project as of today with the first `costs_limit` of its costs (every one if None;
    the CLI's), the totals being of all (Art. 7). A read: it writes nothing."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        project, today = load_project(rt, uow, project_id)
        return resource(uow, project, today, costs_limit=costs_limit)


def costs_page(rt: Runtime, principal: Principal, project_id: str, *, after: int = 0,
               limit: int | None = None) -> dict[str, Any]:
    """A keyset page of the project's costs (Art. 7) in the order recorded: `costs` (those
    recorded after the history position `after`, at most `limit`; every one if None), `total`
    (how many the project recorded) and `next` (the `after` of the next page, None after the
    last)."""
    require(principal, Action.READ_WORKSPACE)
    check_page(after, limit)
    with rt.unit_of_work() as uow:
        project, _ = load_project(rt, uow, project_id)
        costs, more = _costs(uow, project, after, limit)
    return {"costs": [cost_view(c) for c in costs], "total": project.cost_count,
            "next": more}


def resource(uow: UnitOfWork, project: Project, today: date, *, after: int = 0,
             costs_limit: int | None = COSTS_PAGE) -> dict[str, Any]:
    """The project's view with a page of its costs (those after position `after`)."""
    costs, more = _costs(uow, project, after, costs_limit)
    return view(project, today, costs, more)


def _costs(uow: UnitOfWork, project: Project, after: int,
           limit: int | None) -> tuple[list[Cost], int | None]:
    """Up to `limit` costs after position `after` (all if None), and the next page's `after`."""
    if project.cost_count == 0:
        return [], None
    repo = WorkspaceRepository(uow.connection)
    events = repo.cost_events(project.id, after=after,
                              limit=(limit if limit is not None else project.cost_count) + 1)
    costs = [cost_of(e) for e in events[:limit]]
    return costs, (costs[-1].position if limit is not None and len(events) > limit else None)


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


def project_history(rt: Runtime, principal: Principal, project_id: str, *, after: int = 0,
                    limit: int | None = None) -> list[dict[str, Any]]:
    """Every change, who made it and when (issue 15 item 11): the events themselves, or a
    keyset page of them (the events after position `after`, at most `limit`)."""
    return history_page(rt, principal, project_id, after=after, limit=limit)["events"]


def history_page(rt: Runtime, principal: Principal, project_id: str, *, after: int = 0,
                 limit: int | None = None) -> dict[str, Any]:
    """A page of the project's events: `events`, `total` (how many the project has) and
    `next` (the position to ask `after` for the next page, None after the last)."""
    require(principal, Action.READ_WORKSPACE)
    check_page(after, limit)
    with rt.unit_of_work() as uow:
        repo = WorkspaceRepository(uow.connection)
        total = repo.last_position(project_id)
        events = repo.events(project_id, after=after, limit=limit)
    if total is None:
        raise _missing(project_id)
    last = events[-1].position if events else after
    return {"events": records.history(events), "total": total,
            "next": last if limit is not None and last < total else None}


def check_page(after: int, limit: int | None) -> None:
    """A keyset page's bounds: `after` a position (0 or more), `limit` 1 to MAX_PAGE."""
    if not 0 <= after <= MAX_POSITION:  # a larger one overflows SQLite's integers (a 500)
        raise InvalidInput(Message(N_("after is the position of the last event read, 0 or "
                                      "more.")), field="after")
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(Message(N_("limit is 1 to {most}."), most=MAX_PAGE), field="limit")


# --- helpers ------------------------------------------------------------------------------------

def acting_party(principal: Principal) -> str:
    """The Party the principal acts for in the workspace (its own; Art. 4, 8)."""
    party = joining.require_acting_body(principal)
    require(principal, Action.ACT_IN_WORKSPACE, party=party)
    return party


def load_project(rt: Runtime, uow: UnitOfWork, project_id: str) -> tuple[Project, date]:
    """The project as of its last event: its snapshot (domain/workspace/project_snapshot.py)
    advanced by the events after it, or folded from every event when the snapshot is missing
    or of another version. Writes nothing: the snapshot is kept by the transaction that
    appends an event (`_append`) and, for older ones, at start (`refresh_snapshots`)."""
    repo = WorkspaceRepository(uow.connection)
    today = rt.clock().date()
    withdrawals = withdrawal_dates_on(rt, today, uow)
    kept = repo.project_snapshot(project_id)
    project = restore(kept[0], withdrawals) if kept is not None else None
    tail = repo.events(project_id, after=project.last_position if project else 0)
    if project is None:
        if not tail or tail[0].kind is not EventKind.PROPOSED:
            raise _missing(project_id)
        return fold(tail, withdrawals), today
    return advance(project, tail, withdrawals), today


def refresh_snapshots(rt: Runtime) -> int:
    """Keep again every snapshot missing, of another `VERSION` or behind its events (after an
    upgrade that changed their shape; `kelisim up` calls it): how many were kept."""
    with rt.unit_of_work() as uow:
        stale = WorkspaceRepository(uow.connection).stale_snapshots(VERSION)
    for start in range(0, len(stale), 100):
        with rt.unit_of_work() as uow:
            repo = WorkspaceRepository(uow.connection)
            for events in repo.events_of(stale[start:start + 100]).values():
                if events and events[0].kind is EventKind.PROPOSED:
                    repo.snapshot_kept(fold(events, {}))  # the ends are not kept
            uow.commit()
    return len(stale)


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, project: Project | str,
            kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    """Append the project's next event (`project`: its fold; a new project's id) and rebuild
    the projection row and its snapshot from the fold advanced by that event."""
    record_id = project if isinstance(project, str) else project.id
    last = 0 if isinstance(project, str) else project.last_position
    event = records.next_event(rt, principal, record_id, (), kind, body, position=last + 1)
    repo = WorkspaceRepository(uow.connection)
    repo.append(event)
    today = event.at.date()
    withdrawals = withdrawal_dates_on(rt, today, uow)
    folded = (fold([event], withdrawals) if isinstance(project, str)
              else advance(project, [event], withdrawals))
    repo.project_rebuilt(folded)
    if kind in notices.STAGE_DEADLINE_EVENTS:  # the deadline pass's candidates (decision 0025)
        DeadlinesRepository(uow.connection).keep(folded.id, RecordKind.PROJECT,
                                                 notices.kept_stage_deadlines(folded))
    answer = resource(uow, folded, today)
    uow.commit()
    return answer


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

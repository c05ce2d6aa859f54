"""Consultations as use cases (issue 15 item 4; Art. 4, 12): request, answer, schedule, record
the minutes and decisions, add follow-up actions and mark them done.

As for projects (`projects.py`): each use case reads the record's events, checks the rule
(domain/workspace/consultations.py), appends one event to `workspace_events` (append-only,
global ids, the origin Party) in one transaction. The list is read from the requests' events.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, Message, NotFound
from kelisim.domain.workspace import consultations as rules
from kelisim.domain.workspace import notices
from kelisim.domain.workspace import participation as joining
from kelisim.domain.workspace.consultations import Consultation
from kelisim.domain.workspace.project import Event, EventKind
from kelisim.services.participation import party_state_on, party_states_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import MAX_TEXT, acting_party, bounded_text
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_deadlines_repository import DeadlinesRepository, RecordKind
from kelisim.storage.workspace_repository import WorkspaceRepository

MAX_ITEMS = 100


def request_consultation(rt: Runtime, principal: Principal, *, subject: str,
                         articles: Sequence[int], invited: Sequence[str]) -> dict[str, Any]:
    """Art. 4, 12: a Party bound by the Agreement requests consultations with other Parties."""
    party = acting_party(principal)
    body: dict[str, Any] = {"subject": bounded_text(subject, "subject", 500),
                            "articles": list(rules.parse_articles(articles))}
    with rt.unit_of_work() as uow:
        today = rt.clock().date()
        joining.check_may_join(party, party_state_on(rt, party, today, uow), today, [])
        body["invited"] = list(rules.check_invited(party, invited,
                                                   party_states_on(rt, today, uow), today))
        return _append(rt, uow, principal, str(uuid.uuid4()), [],
                       EventKind.CONSULTATION_REQUESTED, body)


def answer_invitation(rt: Runtime, principal: Principal, consultation_id: str,
                      accepted: bool) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, consultation_id)
        rules.check_answer(found, party)
        return _append(rt, uow, principal, consultation_id, events,
                       EventKind.CONSULTATION_ANSWERED, {"accepted": accepted})


def schedule_consultation(rt: Runtime, principal: Principal, consultation_id: str, *,
                          held_on: date, agenda: Sequence[str], place: str = "",
                          online: bool = False) -> dict[str, Any]:
    """The requesting Party sets (or resets) the agenda, the date and the place or online."""
    party = acting_party(principal)
    items = [bounded_text(item, "agenda", 500) for item in rules.texts(agenda)][:MAX_ITEMS]
    with rt.unit_of_work() as uow:
        events, found = _load(uow, consultation_id)
        rules.check_requester(found, party)
        rules.check_schedule(found, held_on, place, online, rt.clock().date())
        body = {"date": held_on.isoformat(), "agenda": items, "online": online,
                "place": bounded_text(place, "place", 300, optional=True) or None}
        return _append(rt, uow, principal, consultation_id, events,
                       EventKind.CONSULTATION_SCHEDULED, body)


def record_minutes(rt: Runtime, principal: Principal, consultation_id: str, *, minutes: str,
                   present: Sequence[str], decisions: Sequence[str] = ()) -> dict[str, Any]:
    """Once the day has come, the requesting Party records the minutes and the decisions."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, consultation_id)
        rules.check_requester(found, party)
        parties = rules.check_minutes(found, present, rt.clock().date())
        body = {"minutes": bounded_text(minutes, "minutes", MAX_TEXT), "present": list(parties),
                "decisions": [bounded_text(d, "decisions", 1000)
                              for d in rules.texts(decisions)][:MAX_ITEMS]}
        return _append(rt, uow, principal, consultation_id, events,
                       EventKind.CONSULTATION_MINUTES, body)


def add_action(rt: Runtime, principal: Principal, consultation_id: str, *, description: str,
               owner: str, deadline: date) -> dict[str, Any]:
    """A follow-up action, its owner Party and its deadline (a Party present records it)."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, consultation_id)
        rules.check_action(found, party, owner.strip().upper(), deadline)
        body = {"action_id": str(uuid.uuid4()),
                "description": bounded_text(description, "description", 1000),
                "owner": owner.strip().upper(), "deadline": deadline.isoformat()}
        return _append(rt, uow, principal, consultation_id, events,
                       EventKind.CONSULTATION_ACTION_ADDED, body)


def complete_action(rt: Runtime, principal: Principal, consultation_id: str,
                    action_id: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, consultation_id)
        action = found.action(action_id)
        if action is None:
            raise NotFound(Message(N_("No action {action} in this consultation."),
                                   action=action_id), field="action")
        rules.check_action_done(action, party)
        return _append(rt, uow, principal, consultation_id, events,
                       EventKind.CONSULTATION_ACTION_DONE, {"action_id": action.id})


def show_consultation(rt: Runtime, principal: Principal, consultation_id: str
                      ) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        _, found = _load(uow, consultation_id)
    return rules.view(found, rt.clock().date())


def list_consultations(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    """Newest first: subject, articles, requester and invited Parties of each request."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        requests = WorkspaceRepository(uow.connection).first_events(
            EventKind.CONSULTATION_REQUESTED)
    return [{"id": e.record_id, "subject": e.body["subject"], "articles": e.body["articles"],
             "requester": e.origin_party, "invited": e.body["invited"],
             "requested_at": e.at.isoformat()} for e in requests]


def consultation_history(rt: Runtime, principal: Principal,
                         consultation_id: str) -> list[dict[str, Any]]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events, _ = _load(uow, consultation_id)
    return records.history(events)


def _load(uow: UnitOfWork, consultation_id: str) -> tuple[list[Event], Consultation]:
    events = WorkspaceRepository(uow.connection).events(consultation_id)
    if not events or events[0].kind is not EventKind.CONSULTATION_REQUESTED:
        raise NotFound(Message(N_("No consultation {consultation}."),
                               consultation=consultation_id), field="consultation")
    return events, rules.fold(events)


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    folded = rules.fold([*events, event])
    if kind in notices.ACTION_DEADLINE_EVENTS:  # the deadline pass's candidates (decision 0025)
        DeadlinesRepository(uow.connection).keep(record_id, RecordKind.CONSULTATION,
                                                 notices.kept_action_deadlines(folded))
    uow.commit()
    return rules.view(folded, event.at.date())

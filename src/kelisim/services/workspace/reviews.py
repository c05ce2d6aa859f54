"""Requests for expert review of R&D work as use cases (issue 15 item 8; Art. 3 direction 16,
Art. 6, 9): request, assign experts, decline, conclude, close; list and show. As for the
library of practice: each use case reads the record's events, checks the rule
(domain/workspace/reviews.py) and appends one event to `workspace_events`.

A restricted review (Art. 6) is "not found" for a Party neither requesting nor asked, exactly
as a missing record, so its existence is not disclosed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, Message, NotFound
from kelisim.domain.workspace import reviews as rules
from kelisim.domain.workspace.gatherings import check_organizer
from kelisim.domain.workspace.project import Event, EventKind, parse_directions
from kelisim.domain.workspace.reviews import Review
from kelisim.services.participation import party_state_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import MAX_TEXT, acting_party, bounded_text
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository

LISTED = 500
MAX_CONCLUSION = 20_000


def request(rt: Runtime, principal: Principal, *, title: str, summary: str,
            directions: Sequence[int], asked: Sequence[str], deadline: date, url: str = "",
            restricted: bool = False) -> dict[str, Any]:
    """Art. 3 direction 16, Art. 9: a bound Party's authorized body requests a review."""
    party = acting_party(principal)
    today = rt.clock().date()
    rules.check_url(url)
    rules.check_deadline(deadline, today)
    body = {"title": bounded_text(title, "title", 500),
            "summary": bounded_text(summary, "summary", MAX_TEXT),
            "directions": list(parse_directions(directions)),
            "url": url.strip() or None, "asked": list(rules.parse_asked(asked)),
            "deadline": deadline.isoformat(), "restricted": restricted}
    with rt.unit_of_work() as uow:
        check_organizer(party, party_state_on(rt, party, today, uow), today)
        return _append(rt, uow, principal, str(uuid.uuid4()), [],
                       EventKind.REVIEW_REQUESTED, body)


def assign(rt: Runtime, principal: Principal, review_id: str,
           experts: Sequence[dict[str, str]]) -> dict[str, Any]:
    """A Party asked, bound on the day, assigns experts (more may follow)."""
    party = acting_party(principal)
    today = rt.clock().date()
    people = rules.parse_experts(experts)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, review_id)
        rules.check_answer(found, party, today)
        check_organizer(party, party_state_on(rt, party, today, uow), today)
        body = {"experts": [{"id": str(uuid.uuid4()), **p} for p in people]}
        return _append(rt, uow, principal, review_id, events,
                       EventKind.REVIEW_EXPERTS_ASSIGNED, body)


def decline(rt: Runtime, principal: Principal, review_id: str, reason: str
            ) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, review_id)
        rules.check_decline(found, party, rt.clock().date())
        return _append(rt, uow, principal, review_id, events, EventKind.REVIEW_DECLINED,
                       {"reason": bounded_text(reason, "reason", 1000)})


def conclude(rt: Runtime, principal: Principal, review_id: str, *, expert_id: str,
             verdict: str, text: str) -> dict[str, Any]:
    """The expert's Party submits (or revises) the expert's conclusion before the deadline."""
    party = acting_party(principal)
    body = {"expert_id": expert_id, "verdict": rules.parse_verdict(verdict).value,
            "text": bounded_text(text, "text", MAX_CONCLUSION)}
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, review_id)
        rules.check_conclusion(found, party, found.expert(expert_id), rt.clock().date())
        return _append(rt, uow, principal, review_id, events, EventKind.REVIEW_CONCLUDED, body)


def close(rt: Runtime, principal: Principal, review_id: str, summary: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, review_id)
        rules.check_close(found, party, rt.clock().date())
        return _append(rt, uow, principal, review_id, events, EventKind.REVIEW_CLOSED,
                       {"summary": bounded_text(summary, "summary", MAX_TEXT)})


def show(rt: Runtime, principal: Principal, review_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        _, found = _load(uow, principal, review_id)
    return rules.view(found, rt.clock().date())


def history(rt: Runtime, principal: Principal, review_id: str) -> list[dict[str, Any]]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events, _ = _load(uow, principal, review_id)
    return records.history(events)


def listed(rt: Runtime, principal: Principal, *, status: str | None = None
           ) -> list[dict[str, Any]]:
    """The reviews the reader may see, newest first; `status`: open, overdue or closed."""
    require(principal, Action.READ_WORKSPACE)
    today = rt.clock().date()
    with rt.unit_of_work() as uow:
        repo = WorkspaceRepository(uow.connection)
        firsts = repo.first_events(EventKind.REVIEW_REQUESTED, limit=LISTED)
        grouped = repo.events_of([e.record_id for e in firsts])
    found = [rules.fold(events) for events in grouped.values() if events]
    views = [rules.view(r, today) for r in sorted(found, key=lambda r: (r.requested_at, r.id),
                                                   reverse=True)
             if r.visible_to(principal.party)]
    return [v for v in views if status is None or v["status"] == status]


def _load(uow: UnitOfWork, principal: Principal, review_id: str
          ) -> tuple[list[Event], Review]:
    events = WorkspaceRepository(uow.connection).events(review_id)
    if events and events[0].kind is EventKind.REVIEW_REQUESTED:
        found = rules.fold(events)
        if found.visible_to(principal.party):
            return events, found
    raise NotFound(Message(N_("No review {review} in the workspace."), review=review_id),
                   field="review")


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    uow.commit()
    return rules.view(rules.fold([*events, event]), rt.clock().date())

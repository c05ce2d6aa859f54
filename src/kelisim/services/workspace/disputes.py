"""Disputes as use cases (issue 15 item 5; Art. 12): open, log consultations and negotiations,
consent to share, record the outcome; read as `domain.access.dispute_view` allows.

As for consultations (`consultations.py`): each use case reads the record's events, checks the
rule (domain/workspace/disputes.py), appends one event to `workspace_events` (append-only,
global ids, the origin Party) in one transaction. A dispute the reader may not see is "not
found", so that its existence is not disclosed either.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from kelisim.domain.access import Action, DisputeView, dispute_view, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, Message, NotFound
from kelisim.domain.workspace import consultations as consultation_rules
from kelisim.domain.workspace import disputes as rules
from kelisim.domain.workspace import participation as joining
from kelisim.domain.workspace.disputes import Dispute
from kelisim.domain.workspace.project import Event, EventKind
from kelisim.services.participation import party_state_on, party_states_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import MAX_TEXT, acting_party, bounded_text
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository


def open_dispute(rt: Runtime, principal: Principal, *, subject: str, matter: str,
                 articles: Sequence[int], concerned: Sequence[str]) -> dict[str, Any]:
    """Art. 12: a Party bound by the Agreement opens a dispute with the other Parties
    concerned, on the application or the interpretation of the named articles."""
    party = acting_party(principal)
    body: dict[str, Any] = {"subject": bounded_text(subject, "subject", 500),
                            "matter": rules.parse_matter(matter).value,
                            "articles": list(consultation_rules.parse_articles(articles))}
    with rt.unit_of_work() as uow:
        today = rt.clock().date()
        joining.check_may_join(party, party_state_on(rt, party, today, uow), today, [])
        body["concerned"] = list(rules.check_concerned(party, concerned,
                                                       party_states_on(rt, today, uow), today))
        return _append(rt, uow, principal, str(uuid.uuid4()), [], EventKind.DISPUTE_OPENED,
                       body)


def log_negotiation(rt: Runtime, principal: Principal, dispute_id: str, *, means: str,
                    held_on: date, summary: str,
                    consultation_id: str | None = None) -> dict[str, Any]:
    """A Party concerned logs consultations or negotiations held, optionally naming a
    consultation of the workspace it took part in."""
    party = acting_party(principal)
    kind = rules.parse_means(means)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, dispute_id)
        consultation = _consultation(uow, consultation_id) if consultation_id else None
        rules.check_log_entry(found, party, held_on, rt.clock().date(), consultation)
        body = {"entry_id": str(uuid.uuid4()), "means": kind.value,
                "held_on": held_on.isoformat(),
                "summary": bounded_text(summary, "summary", MAX_TEXT),
                "consultation_id": consultation.id if consultation else None}
        return _append(rt, uow, principal, dispute_id, events, EventKind.DISPUTE_LOGGED, body)


def consent_to_share(rt: Runtime, principal: Principal, dispute_id: str) -> dict[str, Any]:
    """A Party concerned consents to show the others its subject and outcome; shared once all
    the Parties concerned consented."""
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, dispute_id)
        rules.check_share_consent(found, party)
        return _append(rt, uow, principal, dispute_id, events,
                       EventKind.DISPUTE_SHARE_CONSENTED, {})


def record_outcome(rt: Runtime, principal: Principal, dispute_id: str, *, means: str,
                   text: str) -> dict[str, Any]:
    """Once: how the dispute was settled (consultations or negotiations) and the text agreed;
    closes the dispute."""
    party = acting_party(principal)
    kind = rules.parse_means(means)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, dispute_id)
        rules.check_outcome(found, party)
        body = {"means": kind.value, "text": bounded_text(text, "text", MAX_TEXT)}
        return _append(rt, uow, principal, dispute_id, events, EventKind.DISPUTE_SETTLED, body)


def show_dispute(rt: Runtime, principal: Principal, dispute_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        _, found = _load(uow, principal, dispute_id)
    return rules.view(found, _level(principal, found))


def list_disputes(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    """Newest first, the disputes the reader may see, each as it may see it (no log)."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        repo = WorkspaceRepository(uow.connection)
        opened = repo.first_events(EventKind.DISPUTE_OPENED, limit=500)
        records = repo.events_of([e.record_id for e in opened])
    listed = []
    for first in opened:
        found = rules.fold(records[first.record_id])
        level = _level(principal, found)
        if level is not DisputeView.NONE:
            seen = rules.view(found, level)
            seen.pop("log", None)
            listed.append(seen)
    return listed


def dispute_history(rt: Runtime, principal: Principal, dispute_id: str) -> list[dict[str, Any]]:
    """Every event, for the Parties concerned only (the log is theirs; Art. 12)."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, principal, dispute_id)
    if _level(principal, found) is not DisputeView.FULL:
        raise _missing(dispute_id)
    return records.history(events)


def _level(principal: Principal, found: Dispute) -> DisputeView:
    return dispute_view(principal, frozenset(found.concerned), found.shared())


def _load(uow: UnitOfWork, principal: Principal, dispute_id: str) -> tuple[list[Event], Dispute]:
    events = WorkspaceRepository(uow.connection).events(dispute_id)
    if not events or events[0].kind is not EventKind.DISPUTE_OPENED:
        raise _missing(dispute_id)
    found = rules.fold(events)
    if _level(principal, found) is DisputeView.NONE:
        raise _missing(dispute_id)
    return events, found


def _consultation(uow: UnitOfWork, consultation_id: str) -> consultation_rules.Consultation:
    events = WorkspaceRepository(uow.connection).events(consultation_id.strip())
    if not events or events[0].kind is not EventKind.CONSULTATION_REQUESTED:
        raise NotFound(Message(N_("No consultation {consultation}."),
                               consultation=consultation_id), field="consultation_id")
    return consultation_rules.fold(events)


def _missing(dispute_id: str) -> NotFound:
    return NotFound(Message(N_("No dispute {dispute} that your account may see (Art. 12)."),
                            dispute=dispute_id), field="dispute", article="Art. 12")


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    uow.commit()
    found = rules.fold([*events, event])
    return rules.view(found, _level(principal, found))

"""The library of best practice as use cases (issue 15 item 8; Art. 3 direction 19, Art. 9):
publish, translate, revise, withdraw, search. As for consultations: each use case reads the
record's events, checks the rule (domain/workspace/practices.py) and appends one event.

The search folds the library's records in memory (at most `LIBRARY` practices, the newest):
a library of experience shared between a dozen authorized bodies holds hundreds of entries,
not millions; the exchange's objects have the database's full-text index instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, Message, NotFound
from kelisim.domain.search_text import parse_query
from kelisim.domain.workspace import practices as rules
from kelisim.domain.workspace.gatherings import check_organizer
from kelisim.domain.workspace.practices import Practice
from kelisim.domain.workspace.project import Event, EventKind, parse_directions
from kelisim.services.participation import party_state_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import acting_party, bounded_text
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository

LIBRARY = 5000
MAX_PRACTICE_TEXT = 20_000


def publish(rt: Runtime, principal: Principal, *, title: str, text: str, language: str,
            directions: Sequence[int], keywords: Sequence[str] = ()) -> dict[str, Any]:
    party = acting_party(principal)
    body = {"language": rules.parse_language(language),
            "title": bounded_text(title, "title", 500),
            "text": bounded_text(text, "text", MAX_PRACTICE_TEXT),
            "directions": list(parse_directions(directions)),
            "keywords": list(rules.parse_keywords(keywords))}
    with rt.unit_of_work() as uow:
        today = rt.clock().date()
        check_organizer(party, party_state_on(rt, party, today, uow), today)
        return _append(rt, uow, principal, str(uuid.uuid4()), [],
                       EventKind.PRACTICE_PUBLISHED, body)


def translate(rt: Runtime, principal: Principal, practice_id: str, *, language: str,
              title: str, text: str) -> dict[str, Any]:
    party = acting_party(principal)
    body = {"language": rules.parse_language(language),
            "title": bounded_text(title, "title", 500),
            "text": bounded_text(text, "text", MAX_PRACTICE_TEXT)}
    with rt.unit_of_work() as uow:
        events, found = _load(uow, practice_id)
        today = rt.clock().date()
        check_organizer(party, party_state_on(rt, party, today, uow), today)
        rules.check_translation(found, body["language"])
        return _append(rt, uow, principal, practice_id, events,
                       EventKind.PRACTICE_TRANSLATED, body)


def revise(rt: Runtime, principal: Principal, practice_id: str, *, language: str,
           title: str, text: str) -> dict[str, Any]:
    party = acting_party(principal)
    body = {"language": rules.parse_language(language),
            "title": bounded_text(title, "title", 500),
            "text": bounded_text(text, "text", MAX_PRACTICE_TEXT)}
    with rt.unit_of_work() as uow:
        events, found = _load(uow, practice_id)
        rules.check_revision(found, party, body["language"])
        return _append(rt, uow, principal, practice_id, events,
                       EventKind.PRACTICE_REVISED, body)


def withdraw(rt: Runtime, principal: Principal, practice_id: str, reason: str
             ) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, practice_id)
        rules.check_withdrawal(found, party)
        return _append(rt, uow, principal, practice_id, events,
                       EventKind.PRACTICE_WITHDRAWN,
                       {"reason": bounded_text(reason, "reason", 1000)})


def show(rt: Runtime, principal: Principal, practice_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        _, found = _load(uow, practice_id)
    return rules.view(found)


def history(rt: Runtime, principal: Principal, practice_id: str) -> list[dict[str, Any]]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events, _ = _load(uow, practice_id)
    return records.history(events)


def search(rt: Runtime, principal: Principal, q: str = "", *, direction: int | None = None,
           language: str | None = None, withdrawn: bool = False) -> list[dict[str, Any]]:
    """The practices matching `q` (empty: all) in any language, newest first."""
    require(principal, Action.READ_WORKSPACE)
    query = parse_query(q) if q.strip() else None
    chosen = rules.parse_language(language) if language else None
    with rt.unit_of_work() as uow:
        repo = WorkspaceRepository(uow.connection)
        firsts = repo.first_events(EventKind.PRACTICE_PUBLISHED, limit=LIBRARY)
        grouped = repo.events_of([e.record_id for e in firsts])
    library = [rules.fold(events) for events in grouped.values() if events]
    return [rules.view(p) for p in rules.found(library, query, direction=direction,
                                               language=chosen, withdrawn=withdrawn)]


def _load(uow: UnitOfWork, practice_id: str) -> tuple[list[Event], Practice]:
    events = WorkspaceRepository(uow.connection).events(practice_id)
    if not events or events[0].kind is not EventKind.PRACTICE_PUBLISHED:
        raise NotFound(Message(N_("No practice {practice} in the library."),
                               practice=practice_id), field="practice")
    return events, rules.fold(events)


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    uow.commit()
    return rules.view(rules.fold([*events, event]))

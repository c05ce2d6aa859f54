"""Points of contact as use cases (issue 15 item 9; Art. 8, 9): add, change, retire; the
current directory and each contact's history.

As for consultations: each use case reads the contact's events, checks the rule
(domain/workspace/contacts.py) and appends one event to `workspace_events` (append-only,
global ids, the origin Party) in one transaction. The directory is read by every account (the
authorized bodies reach each other through it; the depositary follows it, Art. 8).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, Message, NotFound
from kelisim.domain.workspace import contacts as rules
from kelisim.domain.workspace.contacts import Contact
from kelisim.domain.workspace.project import Event, EventKind
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import acting_party
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository

Channels = Sequence[Mapping[str, str]]


def add_contact(rt: Runtime, principal: Principal, *, name: str, hours: str,
                languages: Sequence[str], channels: Channels,
                office_hours: str = "") -> dict[str, Any]:
    """Art. 8, 9: an authorized body adds one of its points of contact."""
    acting_party(principal)
    body = rules.parse_details(name=name, hours=hours, office_hours=office_hours,
                               languages=languages, channels=channels)
    body["organization"] = principal.organization
    with rt.unit_of_work() as uow:
        return _append(rt, uow, principal, str(uuid.uuid4()), [], EventKind.CONTACT_ADDED,
                       body)


def change_contact(rt: Runtime, principal: Principal, contact_id: str, *, name: str,
                   hours: str, languages: Sequence[str], channels: Channels,
                   office_hours: str = "") -> dict[str, Any]:
    """The new version replaces the old one whole; the old one stays in the history."""
    party = acting_party(principal)
    body = rules.parse_details(name=name, hours=hours, office_hours=office_hours,
                               languages=languages, channels=channels)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, contact_id)
        rules.check_keeper(found, party)
        return _append(rt, uow, principal, contact_id, events, EventKind.CONTACT_CHANGED, body)


def retire_contact(rt: Runtime, principal: Principal, contact_id: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, contact_id)
        rules.check_keeper(found, party)
        return _append(rt, uow, principal, contact_id, events, EventKind.CONTACT_RETIRED, {})


def list_contacts(rt: Runtime, principal: Principal, *, party: str | None = None,
                  retired: bool = False) -> list[dict[str, Any]]:
    """The directory by Party and name: current contacts (and the retired ones if asked)."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        found = all_contacts(uow)
    code = party.strip().upper() if party else None
    return [rules.view(c) for c in sorted(found, key=lambda c: (c.party, c.name.lower()))
            if (retired or c.current) and (code is None or c.party == code)]


def show_contact(rt: Runtime, principal: Principal, contact_id: str) -> dict[str, Any]:
    """A contact as it is now, with every version: who changed what, and when."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, contact_id)
    return {**rules.view(found), "history": records.history(events)}


def all_contacts(uow: UnitOfWork) -> list[Contact]:
    repo = WorkspaceRepository(uow.connection)
    added = repo.first_events(EventKind.CONTACT_ADDED, limit=10_000)
    records = repo.events_of([e.record_id for e in added])
    return [rules.fold(records[e.record_id]) for e in added]


def _load(uow: UnitOfWork, contact_id: str) -> tuple[list[Event], Contact]:
    events = WorkspaceRepository(uow.connection).events(contact_id)
    if not events or events[0].kind is not EventKind.CONTACT_ADDED:
        raise NotFound(Message(N_("No point of contact {contact}."), contact=contact_id),
                       field="contact")
    return events, rules.fold(events)


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    uow.commit()
    return rules.view(rules.fold([*events, event]))

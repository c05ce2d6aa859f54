"""Training courses, conferences, symposia and meetings as use cases (issue 15 item 8; Art. 3
directions 17-19, Art. 9): announce, register a Party's participants, withdraw, reschedule, add
materials, cancel; list them and give them as an iCalendar (RFC 5545) calendar.

As for consultations (`consultations.py`): each use case reads the record's events, checks the
rule (domain/workspace/gatherings.py) and appends one event to `workspace_events` (append-only,
global ids, the origin Party) in one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, AuthenticationRequired, InvalidInput, Message, NotFound
from kelisim.domain.workspace import gatherings as rules
from kelisim.domain.workspace.gatherings import Gathering
from kelisim.domain.workspace.project import Event, EventKind, parse_directions
from kelisim.services.participation import party_state_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import MAX_TEXT, acting_party, bounded_text
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository

LISTED = 500
CALENDAR_KEY = "workspace.calendar_key"


def announce(rt: Runtime, principal: Principal, *, kind: str, title: str, starts: datetime,
             ends: datetime, registration_until: date, languages: Sequence[str],
             directions: Sequence[int], description: str = "", place: str = "",
             online: bool = False, places_per_party: int | None = None) -> dict[str, Any]:
    """Art. 3, 9: an authorized body of a Party bound by the Agreement announces a gathering."""
    party = acting_party(principal)
    now = rt.clock()
    rules.check_schedule(starts, ends, registration_until, now)
    rules.check_place(place, online)
    if places_per_party is not None and not 1 <= places_per_party <= rules.MAX_PARTICIPANTS:
        raise InvalidInput(Message(N_("Places a Party are from 1 to {limit}."),
                                   limit=rules.MAX_PARTICIPANTS), field="places_per_party")
    body = {"kind": rules.parse_kind(kind).value, "title": bounded_text(title, "title", 500),
            "description": bounded_text(description, "description", MAX_TEXT, optional=True),
            "directions": list(parse_directions(directions)),
            "starts": starts.astimezone(UTC).isoformat(), "ends": ends.astimezone(UTC).isoformat(),
            "registration_until": registration_until.isoformat(),
            "place": bounded_text(place, "place", 300, optional=True) or None, "online": online,
            "languages": list(rules.parse_languages(languages)),
            "places_per_party": places_per_party}
    with rt.unit_of_work() as uow:
        rules.check_organizer(party, party_state_on(rt, party, now.date(), uow), now.date())
        return _append(rt, uow, principal, str(uuid.uuid4()), [],
                       EventKind.GATHERING_ANNOUNCED, body)


def register(rt: Runtime, principal: Principal, gathering_id: str,
             participants: Sequence[dict[str, str]]) -> dict[str, Any]:
    """A Party registers its participants (a new list replaces its previous one)."""
    party = acting_party(principal)
    now = rt.clock()
    with rt.unit_of_work() as uow:
        events, found = _load(uow, gathering_id)
        rules.check_registration(found, party, party_state_on(rt, party, now.date(), uow), now)
        people = rules.parse_participants(participants, found.places_per_party)
        return _append(rt, uow, principal, gathering_id, events,
                       EventKind.GATHERING_REGISTERED, {"participants": list(people)})


def withdraw(rt: Runtime, principal: Principal, gathering_id: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, gathering_id)
        rules.check_withdrawal(found, party, rt.clock())
        return _append(rt, uow, principal, gathering_id, events,
                       EventKind.GATHERING_WITHDRAWN, {})


def reschedule(rt: Runtime, principal: Principal, gathering_id: str, *, starts: datetime,
               ends: datetime, registration_until: date, place: str = "",
               online: bool = False) -> dict[str, Any]:
    party = acting_party(principal)
    now = rt.clock()
    with rt.unit_of_work() as uow:
        events, found = _load(uow, gathering_id)
        rules.check_organizer_acts(found, party, now)
        rules.check_change(found, now)
        rules.check_schedule(starts, ends, registration_until, now)
        rules.check_place(place, online)
        body = {"starts": starts.astimezone(UTC).isoformat(),
                "ends": ends.astimezone(UTC).isoformat(),
                "registration_until": registration_until.isoformat(),
                "place": bounded_text(place, "place", 300, optional=True) or None,
                "online": online}
        return _append(rt, uow, principal, gathering_id, events,
                       EventKind.GATHERING_RESCHEDULED, body)


def add_material(rt: Runtime, principal: Principal, gathering_id: str, *, title: str,
                 url: str = "", text: str = "") -> dict[str, Any]:
    party = acting_party(principal)
    rules.check_material(title, url, text)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, gathering_id)
        rules.check_organizer_acts(found, party, rt.clock())
        body = {"material_id": str(uuid.uuid4()), "title": title.strip(),
                "url": url.strip() or None,
                "text": bounded_text(text, "text", MAX_TEXT, optional=True) or None}
        return _append(rt, uow, principal, gathering_id, events,
                       EventKind.GATHERING_MATERIAL_ADDED, body)


def cancel(rt: Runtime, principal: Principal, gathering_id: str, reason: str
           ) -> dict[str, Any]:
    party = acting_party(principal)
    now = rt.clock()
    with rt.unit_of_work() as uow:
        events, found = _load(uow, gathering_id)
        rules.check_organizer_acts(found, party, now)
        rules.check_change(found, now)
        return _append(rt, uow, principal, gathering_id, events,
                       EventKind.GATHERING_CANCELLED,
                       {"reason": bounded_text(reason, "reason", 1000)})


def show(rt: Runtime, principal: Principal, gathering_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        _, found = _load(uow, gathering_id)
    return rules.view(found, rt.clock())


def history(rt: Runtime, principal: Principal, gathering_id: str) -> list[dict[str, Any]]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events, _ = _load(uow, gathering_id)
    return records.history(events)


def all_gatherings(rt: Runtime, principal: Principal) -> list[Gathering]:
    """Every gathering announced (the latest `LISTED`), soonest first, as folded now."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        repo = WorkspaceRepository(uow.connection)
        firsts = repo.first_events(EventKind.GATHERING_ANNOUNCED, limit=LISTED)
        grouped = repo.events_of([e.record_id for e in firsts])
    found = [rules.fold(events) for events in grouped.values() if events]
    return sorted(found, key=lambda g: (g.starts, g.id))


def list_gatherings(rt: Runtime, principal: Principal, *, upcoming: bool = False
                    ) -> list[dict[str, Any]]:
    now = rt.clock()
    return [rules.view(g, now) for g in all_gatherings(rt, principal)
            if not upcoming or g.ends > now]


def calendar_key(rt: Runtime, account_id: int) -> str:
    """The secret part of an account's calendar address: calendar programs subscribe to a
    URL and send no Authorization header, so the address itself is the credential (as the
    private addresses of hosted calendars are). Derived from the node's own secret, never
    stored; it stops working when the account is disabled."""
    key = rt.caches.get(CALENDAR_KEY)
    if key is None:
        with rt.unit_of_work() as uow:
            key = ExchangeRecords(uow.connection).secret("calendar_feed")
            uow.commit()
        rt.caches[CALENDAR_KEY] = key
    mac = hmac.new(key, f"kelisim calendar\x00{account_id}".encode(), hashlib.sha256)
    return f"{account_id}-{mac.hexdigest()[:40]}"


def calendar_for_key(rt: Runtime, key: str) -> list[Gathering]:
    """The gatherings of the calendar at `key`; AuthenticationRequired for a key that is not
    one, or whose account is no longer active (the same answer)."""
    head, _, _ = key.partition("-")
    principal = None
    if head.isdigit() and len(head) <= 12 and hmac.compare_digest(
            calendar_key(rt, int(head)), key):
        with rt.unit_of_work() as uow:
            principal = uow.accounts.active(int(head))
    if principal is None:
        raise AuthenticationRequired(Message(N_("This calendar address is not valid (or its "
                                                "account is disabled); copy it again from "
                                                "the workspace.")))
    return all_gatherings(rt, principal)


def _load(uow: UnitOfWork, gathering_id: str) -> tuple[list[Event], Gathering]:
    events = WorkspaceRepository(uow.connection).events(gathering_id)
    if not events or events[0].kind is not EventKind.GATHERING_ANNOUNCED:
        raise NotFound(Message(N_("No gathering {gathering}."), gathering=gathering_id),
                       field="gathering")
    return events, rules.fold(events)


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    uow.commit()
    return rules.view(rules.fold([*events, event]), event.at)

"""Training courses, conferences, symposia and meetings between the Parties (issue 15 item 8;
Art. 3 directions 16-19, Art. 9), as the fold of events. "Gathering" names them here because
"event" already names the records' history (`project.Event`).

* Art. 3 (directions 17-19: training and further training of specialists, joint conferences
  and symposia, exchange of experience) and Art. 9 (the authorized bodies interact directly):
  an authorized body of a Party for which the Agreement is in force announces a gathering -
  its kind, title, the Art. 3 directions it serves, when, where or online, its languages, a
  registration deadline and, if it must, a number of places a Party.
* Each Party bound by the Agreement on the day registers its participants (names, and their
  roles), until the registration deadline and before the start; a new registration of a Party
  replaces its list (the history keeps every list); a Party withdraws its registration.
* The organizing Party reschedules (every change raises the iCalendar SEQUENCE, RFC 5545
  3.8.7.4, so calendars replace the old entry), adds materials (a title, a link or a text), or
  cancels; nothing is edited in place and a cancelled gathering stays listed as cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from kelisim.domain.errors import N_, InvalidInput, Message, PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.domain.workspace.project import Event, EventKind

LANGUAGES = ("kk", "ru", "en")
MAX_PARTICIPANTS = 200
MAX_LENGTH = timedelta(days=31)


class GatheringKind(StrEnum):
    TRAINING = "training"  # Art. 3 direction 17
    CONFERENCE = "conference"  # direction 18
    SYMPOSIUM = "symposium"  # direction 18
    MEETING = "meeting"  # exchange of experience, direction 19


@dataclass
class Material:
    id: str
    title: str
    url: str | None
    text: str | None
    added_by: str
    added_at: datetime


@dataclass
class Gathering:
    id: str
    kind: GatheringKind
    title: str
    description: str
    directions: tuple[int, ...]
    organizer: str
    announced_at: datetime
    starts: datetime
    ends: datetime
    place: str | None
    online: bool
    languages: tuple[str, ...]
    registration_until: date
    places_per_party: int | None
    sequence: int = 0
    cancelled: str | None = None  # the reason, once cancelled
    registrations: dict[str, tuple[dict[str, str], ...]] = field(default_factory=dict)
    materials: list[Material] = field(default_factory=list)
    updated_at: datetime | None = None
    last_position: int = 0

    def open_for_registration(self, now: datetime) -> bool:
        return (self.cancelled is None and now.date() <= self.registration_until
                and now < self.starts)


# --- checks ---------------------------------------------------------------------------------------

def parse_kind(text: str) -> GatheringKind:
    try:
        return GatheringKind(text)
    except ValueError:
        raise InvalidInput(Message(N_("kind is training, conference, symposium or meeting "
                                      "(Art. 3, directions 17-19).")), field="kind",
                           article="Art. 3") from None


def check_organizer(party: str, state: PartyState, on: date) -> None:
    if state not in JOINING_STATES:
        raise RuleViolation(Message(N_("The Agreement is not in force for {party} on {on} (its "
                                       "state: {state}); only its Parties' authorized bodies "
                                       "hold and attend joint training and conferences "
                                       "(Art. 3, 9, 13, 14)."), party=party, on=on, state=state),
                            article="Art. 3, 9, 13, 14", party=party, state=state.value)


def check_schedule(starts: datetime, ends: datetime, registration_until: date,
                   now: datetime) -> None:
    if starts.tzinfo is None or ends.tzinfo is None:
        raise InvalidInput(Message(N_("The start and the end are instants with a time zone "
                                      "(e.g. 2027-03-01T09:00:00+05:00).")), field="starts")
    if starts <= now:
        raise InvalidInput(Message(N_("A gathering is announced for a time to come, not "
                                      "{starts}."), starts=starts.isoformat()), field="starts")
    if not starts < ends <= starts + MAX_LENGTH:
        raise InvalidInput(Message(N_("A gathering ends after it starts, within 31 days.")),
                           field="ends")
    if not now.date() <= registration_until <= starts.date():
        raise InvalidInput(Message(N_("Registration closes between today and the first day "
                                      "({first})."), first=starts.date()),
                           field="registration_until")


def check_place(place: str, online: bool) -> None:
    if online == bool(place.strip()):
        raise InvalidInput(Message(N_("Give either a place or online, not both and not "
                                      "neither.")), field="place")


def parse_languages(values: Sequence[str]) -> tuple[str, ...]:
    found = tuple(sorted({v.strip().lower() for v in values if v.strip()}))
    if not found or any(v not in LANGUAGES for v in found):
        raise InvalidInput(Message(N_("Languages are one or more of kk, ru and en.")),
                           field="languages")
    return found


def parse_participants(entries: Sequence[dict[str, str]], places: int | None
                       ) -> tuple[dict[str, str], ...]:
    people = []
    for entry in entries:
        name = str(entry.get("name", "")).strip()
        role = str(entry.get("role", "")).strip()
        if not name or len(name) > 200 or len(role) > 200:
            raise InvalidInput(Message(N_("Each participant has a name (1 to 200 characters) "
                                          "and, if given, a role (up to 200).")),
                               field="participants")
        people.append({"name": name, "role": role})
    limit = MAX_PARTICIPANTS if places is None else places
    if not people or len(people) > limit:
        raise InvalidInput(Message(N_("Register 1 to {limit} participants."), limit=limit),
                           field="participants")
    return tuple(people)


def check_registration(gathering: Gathering, party: str, state: PartyState,
                       now: datetime) -> None:
    check_organizer(party, state, now.date())
    if gathering.cancelled is not None:
        raise RuleViolation(Message(N_("This gathering is cancelled.")), article="Art. 3")
    if not gathering.open_for_registration(now):
        raise RuleViolation(Message(N_("Registration closed on {until}."),
                                    until=gathering.registration_until), article="Art. 3")


def check_withdrawal(gathering: Gathering, party: str, now: datetime) -> None:
    if party not in gathering.registrations:
        raise RuleViolation(Message(N_("{party} has no registration to withdraw."),
                                    party=party), party=party)
    if now >= gathering.starts:
        raise RuleViolation(Message(N_("The gathering has started; its registrations are "
                                       "kept as they were.")))


def check_organizer_acts(gathering: Gathering, party: str, now: datetime) -> None:
    if party != gathering.organizer:
        raise PermissionDenied(Message(N_("Only the organizing Party ({organizer}) changes, "
                                          "cancels or adds materials to a gathering (Art. 9)."),
                                       organizer=gathering.organizer),
                               article="Art. 9", party=party)
    if gathering.cancelled is not None:
        raise RuleViolation(Message(N_("This gathering is cancelled.")), article="Art. 3")


def check_material(title: str, url: str, text: str) -> None:
    if not title.strip() or len(title) > 300 or bool(url.strip()) == bool(text.strip()):
        raise InvalidInput(Message(N_("A material has a title (1 to 300 characters) and either "
                                      "a link or a text.")), field="material")
    if url.strip() and not url.strip().lower().startswith(("https://", "http://")):
        raise InvalidInput(Message(N_("A material's link is an http or https URL.")),
                           field="url")


def check_change(gathering: Gathering, now: datetime) -> None:
    if now >= gathering.starts:
        raise RuleViolation(Message(N_("The gathering has started; it is no longer "
                                       "rescheduled or cancelled.")))


# --- fold and view --------------------------------------------------------------------------------

def fold(events: Sequence[Event]) -> Gathering:
    first = events[0]
    b = first.body
    g = Gathering(
        id=first.record_id, kind=GatheringKind(b["kind"]), title=b["title"],
        description=b.get("description", ""), directions=tuple(b["directions"]),
        organizer=first.origin_party, announced_at=first.at,
        starts=datetime.fromisoformat(b["starts"]), ends=datetime.fromisoformat(b["ends"]),
        place=b.get("place"), online=bool(b.get("online")), languages=tuple(b["languages"]),
        registration_until=date.fromisoformat(b["registration_until"]),
        places_per_party=b.get("places_per_party"))
    for event in events[1:]:
        _apply(g, event)
    g.last_position = events[-1].position
    return g


def _apply(g: Gathering, event: Event) -> None:
    body, kind = event.body, event.kind
    if kind is EventKind.GATHERING_REGISTERED:
        g.registrations[event.origin_party] = tuple(body["participants"])
    elif kind is EventKind.GATHERING_WITHDRAWN:
        g.registrations.pop(event.origin_party, None)
    elif kind is EventKind.GATHERING_RESCHEDULED:
        g.starts = datetime.fromisoformat(body["starts"])
        g.ends = datetime.fromisoformat(body["ends"])
        g.registration_until = date.fromisoformat(body["registration_until"])
        g.place, g.online = body.get("place"), bool(body.get("online"))
        g.sequence += 1
        g.updated_at = event.at
    elif kind is EventKind.GATHERING_MATERIAL_ADDED:
        g.materials.append(Material(id=body["material_id"], title=body["title"],
                                    url=body.get("url"), text=body.get("text"),
                                    added_by=event.actor_name, added_at=event.at))
        g.updated_at = event.at
    elif kind is EventKind.GATHERING_CANCELLED:
        g.cancelled = body["reason"]
        g.sequence += 1
        g.updated_at = event.at


def view(g: Gathering, now: datetime) -> dict[str, Any]:
    return {
        "id": g.id, "kind": g.kind.value, "title": g.title, "description": g.description,
        "directions": list(g.directions), "organizer": g.organizer,
        "announced_at": g.announced_at.isoformat(), "starts": g.starts.isoformat(),
        "ends": g.ends.isoformat(), "place": g.place, "online": g.online,
        "languages": list(g.languages), "registration_until": g.registration_until.isoformat(),
        "places_per_party": g.places_per_party, "sequence": g.sequence,
        "cancelled": g.cancelled, "registration_open": g.open_for_registration(now),
        "registrations": {p: list(people) for p, people in sorted(g.registrations.items())},
        "participants": sum(len(people) for people in g.registrations.values()),
        "materials": [{"id": m.id, "title": m.title, "url": m.url, "text": m.text,
                       "added_by": m.added_by, "added_at": m.added_at.isoformat()}
                      for m in g.materials],
    }

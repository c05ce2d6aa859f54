"""Points of contact of the authorized bodies (issue 15 item 9; Art. 8, 9), as the fold of events.

* Art. 8: each Party's authorized bodies carry out the Agreement and the depositary holds their
  list; Art. 9: they exchange information on their interaction. So each body keeps the people
  the others reach it through: a name, when they answer (around the clock, or office hours
  with the hours stated), the languages they answer in, and their channels (e-mail, phone...).
* A contact is added, changed (every field given again: the new version replaces the old one
  whole) and retired by its own Party's authorized body (party-admin or analyst); a retired
  contact stays in the history and is no longer a target of communication checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from kelisim.domain.errors import N_, InvalidInput, Message, PermissionDenied, RuleViolation
from kelisim.domain.inputs import stored_text
from kelisim.domain.workspace.project import Event, EventKind

ARTICLE = "Art. 8, 9"
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_CHANNELS = 10


class Hours(StrEnum):
    ROUND_THE_CLOCK = "24/7"
    OFFICE = "office"


class ChannelKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    FAX = "fax"
    SECURE_MESSAGING = "secure-messaging"


@dataclass(frozen=True)
class Contact:
    id: str
    party: str
    organization: str | None
    name: str
    hours: Hours
    office_hours: str | None
    languages: tuple[str, ...]
    channels: tuple[tuple[str, str], ...]
    added_at: datetime
    changed_at: datetime
    revision: int = 1
    retired_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.retired_at is None

    def email(self) -> str | None:
        return next((v for k, v in self.channels if k == ChannelKind.EMAIL.value), None)


def parse_details(*, name: str, hours: str, office_hours: str, languages: Sequence[str],
                  channels: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """The body of an added or changed contact, every field checked."""
    text = stored_text(name.strip(), "name")  # it names the answer's event (a text column)
    if not text or len(text) > 200:
        raise InvalidInput(Message(N_("A point of contact needs a name of 1 to 200 "
                                      "characters.")), field="name")
    try:
        kind = Hours(hours.strip().lower())
    except ValueError:
        raise InvalidInput(Message(N_("A point of contact answers 24/7 or in office hours "
                                      "(hours: 24/7 or office).")), field="hours") from None
    stated = office_hours.strip()
    if (kind is Hours.OFFICE and not stated) or len(stated) > 200:
        raise InvalidInput(Message(N_("State the office hours (and time zone) of a contact "
                                      "that answers in office hours, up to 200 characters.")),
                           field="office_hours")
    codes = sorted({code.strip().lower() for code in languages if code.strip()})
    if not codes or len(codes) > 20 or not all(LANGUAGE.match(c) for c in codes):
        raise InvalidInput(Message(N_("Name the languages a contact answers in, as ISO 639 "
                                      "codes (e.g. kk, ru, en).")), field="languages")
    return {"name": text, "hours": kind.value,
            "office_hours": stated if kind is Hours.OFFICE else None, "languages": codes,
            "channels": _channels(channels)}


def _channels(channels: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    parsed = []
    for channel in channels:
        try:
            kind = ChannelKind(str(channel.get("kind", "")).strip().lower())
        except ValueError:
            kind = None
        value = str(channel.get("value", "")).strip()
        if (kind is None or not value or len(value) > 300
                or (kind is ChannelKind.EMAIL and not EMAIL.match(value))):
            raise InvalidInput(Message(N_("A channel is e-mail, phone, fax or secure-messaging "
                                          "with its address or number (an e-mail address "
                                          "as name@domain).")), field="channels")
        parsed.append({"kind": kind.value, "value": value})
    if not parsed or len(parsed) > MAX_CHANNELS:
        raise InvalidInput(Message(N_("A point of contact needs one to ten channels.")),
                           field="channels")
    return parsed


def check_keeper(contact: Contact, party: str) -> None:
    """Art. 8: a body's contacts are kept by that Party's own authorized body."""
    if contact.party != party:
        raise PermissionDenied(Message(N_("The points of contact of {party} are kept by its own "
                                          "authorized body (Art. 8)."), party=contact.party),
                               article="Art. 8", party=party)
    if not contact.current:
        raise RuleViolation(Message(N_("This point of contact was retired; add a new one "
                                       "instead.")), article="Art. 8")


def fold(events: Sequence[Event]) -> Contact:
    first = events[0]
    contact = _version(first, first.body, first.at, 1, first.body.get("organization"))
    for event in events[1:]:
        if event.kind is EventKind.CONTACT_CHANGED:
            contact = _version(event, event.body, contact.added_at, contact.revision + 1,
                               contact.organization, record=contact)
        elif event.kind is EventKind.CONTACT_RETIRED and contact.retired_at is None:
            contact = Contact(**{**contact.__dict__, "retired_at": event.at})
    return contact


def _version(event: Event, body: Mapping[str, Any], added_at: datetime, revision: int,
             organization: str | None, record: Contact | None = None) -> Contact:
    return Contact(id=event.record_id, party=record.party if record else event.origin_party,
                   organization=organization, name=body["name"], hours=Hours(body["hours"]),
                   office_hours=body.get("office_hours"), languages=tuple(body["languages"]),
                   channels=tuple((c["kind"], c["value"]) for c in body["channels"]),
                   added_at=added_at, changed_at=event.at, revision=revision)


def view(c: Contact) -> dict[str, Any]:
    return {"id": c.id, "party": c.party, "organization": c.organization, "name": c.name,
            "hours": c.hours.value, "office_hours": c.office_hours,
            "languages": list(c.languages),
            "channels": [{"kind": k, "value": v} for k, v in c.channels],
            "added_at": c.added_at.isoformat(), "changed_at": c.changed_at.isoformat(),
            "revision": c.revision, "current": c.current,
            "retired_at": c.retired_at.isoformat() if c.retired_at else None}

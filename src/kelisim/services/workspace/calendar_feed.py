"""The workspace's gatherings as an iCalendar (RFC 5545) calendar, written with `icalendar`.

One VEVENT a gathering: its id as UID (global across nodes), SEQUENCE raised by each change so
that a subscribed calendar replaces its copy (RFC 5545 3.8.7.4), STATUS:CANCELLED once
cancelled (3.8.1.11), the place or "online" as LOCATION, the Art. 3 directions and the
organizing Party in the description, and a link to the gathering's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar, Event, vText

from kelisim import __version__
from kelisim.domain.workspace.gatherings import Gathering

PRODID = f"-//kelisim//Agreement on cooperation in information security {__version__}//EN"


def calendar(gatherings: Sequence[Gathering], *, base_url: str, now: datetime,
             name: str = "kelisim") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for g in gatherings:
        entry = Event()
        entry.add("uid", f"{g.id}@kelisim")
        entry.add("dtstamp", g.updated_at or g.announced_at or now)
        entry.add("created", g.announced_at)
        if g.updated_at is not None:
            entry.add("last-modified", g.updated_at)
        entry.add("sequence", g.sequence)
        entry.add("dtstart", g.starts)
        entry.add("dtend", g.ends)
        entry.add("summary", g.title)
        directions = ", ".join(str(d) for d in g.directions)
        entry.add("description", vText(
            f"{g.description}\n\n{g.kind.value}; organized by {g.organizer}; Art. 3 directions "
            f"{directions}; languages {', '.join(g.languages)}; registration until "
            f"{g.registration_until.isoformat()}".strip()))
        entry.add("location", "online" if g.online else (g.place or ""))
        entry.add("categories", [g.kind.value])
        entry.add("status", "CANCELLED" if g.cancelled is not None else "CONFIRMED")
        entry.add("url", f"{base_url.rstrip('/')}/workspace/gatherings/{g.id}")
        cal.add_component(entry)
    return bytes(cal.to_ical())

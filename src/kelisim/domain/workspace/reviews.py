"""Requests for expert review of research and development work (issue 15 item 8; Art. 3
direction 16, Art. 6, 9), as the fold of events (docs/decisions/0015-workspace.md, "Requests
for expert review").

* An authorized body of a Party bound by the Agreement requests a review of an R&D work: a
  title, a summary, the Art. 3 directions, optionally a link, the Parties asked to provide
  experts and a deadline for the conclusions; it may restrict the request to itself and the
  Parties asked (Art. 6: the others are told "not found", as for a missing record).
* Each Party asked, bound by the Agreement on the day, assigns one or more experts (a name, a
  qualification or organization) or declines; a later assignment adds experts.
* The Party of an assigned expert submits the expert's conclusion (a text and a verdict) until
  the deadline; a later conclusion of the same expert is a revision (history keeps both).
* The requesting Party closes the review with a summary once a conclusion exists or the
  deadline has passed; a review past its deadline with experts lacking a conclusion is overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from kelisim.domain.errors import N_, InvalidInput, Message, PermissionDenied, RuleViolation
from kelisim.domain.workspace.project import Event, EventKind

MAX_EXPERTS = 20
MAX_ASKED = 20


class Verdict(StrEnum):
    SUPPORTS = "supports"
    SUPPORTS_WITH_REMARKS = "supports_with_remarks"
    DOES_NOT_SUPPORT = "does_not_support"


@dataclass
class Conclusion:
    verdict: Verdict
    text: str
    author: str
    at: datetime
    revision: int


@dataclass
class Expert:
    id: str
    party: str
    name: str
    qualification: str
    conclusions: list[Conclusion] = field(default_factory=list)


@dataclass
class Review:
    id: str
    origin: str
    requested_at: datetime
    title: str
    summary: str
    directions: tuple[int, ...]
    url: str | None
    asked: tuple[str, ...]
    deadline: date
    restricted: bool
    experts: list[Expert] = field(default_factory=list)
    declined: dict[str, str] = field(default_factory=dict)  # Party -> reason
    closed: str | None = None  # the summary, once closed
    last_position: int = 0

    def visible_to(self, party: str | None) -> bool:
        return not self.restricted or party in (self.origin, *self.asked)

    def expert(self, expert_id: str) -> Expert:
        for found in self.experts:
            if found.id == expert_id:
                return found
        raise InvalidInput(Message(N_("No expert {expert} in this review."), expert=expert_id),
                           field="expert")

    def overdue(self, today: date) -> bool:
        return (self.closed is None and today > self.deadline
                and any(not e.conclusions for e in self.experts))


# --- checks ---------------------------------------------------------------------------------------

def parse_verdict(text: str) -> Verdict:
    try:
        return Verdict(text)
    except ValueError:
        raise InvalidInput(Message(N_("verdict is supports, supports_with_remarks or "
                                      "does_not_support.")), field="verdict") from None


def parse_asked(values: Sequence[str]) -> tuple[str, ...]:
    found = tuple(sorted({v.strip().upper() for v in values if v.strip()}))
    if not found or len(found) > MAX_ASKED or any(
            len(v) != 3 or not v.isalpha() for v in found):
        raise InvalidInput(Message(N_("Ask 1 to {limit} Parties for experts, by their "
                                      "three-letter codes (e.g. KAZ)."), limit=MAX_ASKED),
                           field="asked")
    return found


def check_url(url: str) -> None:
    if url.strip() and not url.strip().lower().startswith(("https://", "http://")):
        raise InvalidInput(Message(N_("A material's link is an http or https URL.")),
                           field="url")


def check_deadline(deadline: date, today: date) -> None:
    if deadline <= today:
        raise InvalidInput(Message(N_("The deadline for conclusions is a day to come, not "
                                      "{deadline}."), deadline=deadline), field="deadline")


def parse_experts(entries: Sequence[dict[str, str]]) -> tuple[dict[str, str], ...]:
    people = []
    for entry in entries:
        name = str(entry.get("name", "")).strip()
        qualification = str(entry.get("qualification", "")).strip()
        if not name or len(name) > 200 or not qualification or len(qualification) > 300:
            raise InvalidInput(Message(N_("Each expert has a name (1 to 200 characters) and a "
                                          "qualification or organization (1 to 300).")),
                               field="experts")
        people.append({"name": name, "qualification": qualification})
    if not 1 <= len(people) <= MAX_EXPERTS:
        raise InvalidInput(Message(N_("Assign 1 to {limit} experts."), limit=MAX_EXPERTS),
                           field="experts")
    return tuple(people)


def _open(review: Review) -> None:
    if review.closed is not None:
        raise RuleViolation(Message(N_("This review is closed.")), article="Art. 3")


def check_answer(review: Review, party: str, today: date) -> None:
    """A Party asked assigns experts or declines, until the deadline, if it has not declined."""
    _open(review)
    if party not in review.asked:
        raise PermissionDenied(Message(N_("{party} was not asked to provide experts for this "
                                          "review (Art. 3, 9)."), party=party),
                               article="Art. 3, 9", party=party)
    if party in review.declined:
        raise RuleViolation(Message(N_("{party} has declined this review."), party=party),
                            article="Art. 3", party=party)
    if today > review.deadline:
        raise RuleViolation(Message(N_("The deadline for conclusions ({deadline}) has "
                                       "passed."), deadline=review.deadline), article="Art. 3")


def check_decline(review: Review, party: str, today: date) -> None:
    check_answer(review, party, today)
    if any(e.party == party for e in review.experts):
        raise RuleViolation(Message(N_("{party} has assigned experts; their conclusions are "
                                       "awaited."), party=party), article="Art. 3", party=party)


def check_conclusion(review: Review, party: str, expert: Expert, today: date) -> None:
    _open(review)
    if party != expert.party:
        raise PermissionDenied(Message(N_("Only {party}, which assigned this expert, submits "
                                          "the expert's conclusion (Art. 9)."),
                                       party=expert.party), article="Art. 9", party=party)
    if today > review.deadline:
        raise RuleViolation(Message(N_("The deadline for conclusions ({deadline}) has "
                                       "passed."), deadline=review.deadline), article="Art. 3")


def check_close(review: Review, party: str, today: date) -> None:
    if party != review.origin:
        raise PermissionDenied(Message(N_("Only the requesting Party ({party}) closes the "
                                          "review (Art. 9)."), party=review.origin),
                               article="Art. 9", party=party)
    _open(review)
    if today <= review.deadline and not any(e.conclusions for e in review.experts):
        raise RuleViolation(Message(N_("A review closes once a conclusion exists or its "
                                       "deadline ({deadline}) has passed."),
                                    deadline=review.deadline), article="Art. 3")


# --- fold and view --------------------------------------------------------------------------------

def fold(events: Sequence[Event]) -> Review:
    first = events[0]
    b = first.body
    r = Review(id=first.record_id, origin=first.origin_party, requested_at=first.at,
               title=b["title"], summary=b["summary"], directions=tuple(b["directions"]),
               url=b.get("url"), asked=tuple(b["asked"]),
               deadline=date.fromisoformat(b["deadline"]), restricted=bool(b["restricted"]))
    for event in events[1:]:
        body = event.body
        if event.kind is EventKind.REVIEW_EXPERTS_ASSIGNED:
            r.experts.extend(Expert(e["id"], event.origin_party, e["name"], e["qualification"])
                             for e in body["experts"])
        elif event.kind is EventKind.REVIEW_DECLINED:
            r.declined[event.origin_party] = body["reason"]
        elif event.kind is EventKind.REVIEW_CONCLUDED:
            expert = r.expert(body["expert_id"])
            expert.conclusions.append(Conclusion(Verdict(body["verdict"]), body["text"],
                                                 event.actor_name, event.at,
                                                 len(expert.conclusions) + 1))
        elif event.kind is EventKind.REVIEW_CLOSED:
            r.closed = body["summary"]
    r.last_position = events[-1].position
    return r


def view(r: Review, today: date) -> dict[str, Any]:
    def expert(e: Expert) -> dict[str, Any]:
        last = e.conclusions[-1] if e.conclusions else None
        return {"id": e.id, "party": e.party, "name": e.name, "qualification": e.qualification,
                "conclusion": None if last is None else {
                    "verdict": last.verdict.value, "text": last.text, "author": last.author,
                    "at": last.at.isoformat(), "revision": last.revision}}
    answered = {e.party for e in r.experts} | set(r.declined)
    return {
        "id": r.id, "origin": r.origin, "requested_at": r.requested_at.isoformat(),
        "title": r.title, "summary": r.summary, "directions": list(r.directions), "url": r.url,
        "asked": list(r.asked), "deadline": r.deadline.isoformat(), "restricted": r.restricted,
        "experts": [expert(e) for e in r.experts], "declined": dict(sorted(r.declined.items())),
        "awaiting": [p for p in r.asked if p not in answered],
        "closed": r.closed, "overdue": r.overdue(today),
        "status": "closed" if r.closed is not None else "overdue" if r.overdue(today)
        else "open",
    }

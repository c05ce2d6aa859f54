"""Consultations between the Parties (issue 15 item 4; Art. 4, Art. 12), as the fold of events.

* Art. 4, 12: a Party requests consultations (a subject, the articles of the Agreement
  concerned, the Parties invited): the Agreement's disputes are settled by consultations and
  negotiations (Art. 12), and the Parties' joint work is agreed in them (Art. 4).
* Only a Party for which the Agreement is in force requests or is invited (Art. 13-15), through
  its authorized body (Art. 8); an invited Party accepts or declines, once.
* The requesting Party sets the agenda, the date and the place or "online"; rescheduling is
  allowed until the minutes are recorded. Once the date has come, it records the minutes: the
  Parties present (the requester and Parties that accepted), what was said, the decisions.
* Follow-up actions name an owner Party present at the consultation and a deadline; the owner
  marks its action done. An action past its deadline and not done is overdue (read against the
  clock, never stored).

Events are the record as for projects (docs/decisions/0015-workspace.md): a global id, the
origin Party, the account, the instant; `fold` replays them, `view` reads them on a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kelisim.domain.errors import N_, InvalidInput, Message, PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.domain.workspace.project import Event, EventKind

ARTICLES = range(1, 16)
"""The Agreement's fifteen articles, which a consultation may concern."""


@dataclass
class Action:
    id: str
    description: str
    owner: str
    deadline: date
    added_by: str
    done_on: date | None = None

    def overdue(self, today: date) -> bool:
        return self.done_on is None and self.deadline < today


@dataclass
class Consultation:
    id: str
    subject: str
    articles: tuple[int, ...]
    requester: str
    invited: tuple[str, ...]
    requested_at: datetime
    answers: dict[str, bool] = field(default_factory=dict)
    agenda: tuple[str, ...] = ()
    held_on: date | None = None
    place: str | None = None
    online: bool = False
    schedule_revision: int = 0
    minutes: str | None = None
    present: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    actions: list[Action] = field(default_factory=list)
    last_position: int = 0

    def accepted(self) -> frozenset[str]:
        return frozenset(p for p, yes in self.answers.items() if yes)

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)


# --- checks on the request ------------------------------------------------------------------------

def parse_articles(values: Sequence[int]) -> tuple[int, ...]:
    if not values or any(v not in ARTICLES for v in values):
        raise InvalidInput(Message(N_("Name one or more articles of the Agreement concerned, "
                                      "numbered 1-15 (Art. 12).")), field="articles",
                           article="Art. 12")
    return tuple(sorted(set(values)))


def check_invited(requester: str, invited: Sequence[str],
                  states: dict[str, PartyState], on: date) -> tuple[str, ...]:
    """Art. 4, 12, 13-15: one or more other Parties, each bound by the Agreement on the day."""
    parties = tuple(sorted({p.strip().upper() for p in invited if p.strip()}))
    if not parties or requester in parties:
        raise InvalidInput(Message(N_("Invite one or more other Parties to the consultation "
                                      "(Art. 12).")), field="invited", article="Art. 12")
    for party in parties:
        state = states.get(party, PartyState.NOT_PARTY)
        if state not in JOINING_STATES:
            raise RuleViolation(Message(N_("The Agreement is not in force for {party} on {on} "
                                           "(its state: {state}); only Parties bound by it are "
                                           "invited to consultations (Art. 12, 13, 14)."),
                                        party=party, on=on, state=state),
                                article="Art. 12, 13, 14", party=party, state=state.value)
    return parties


# --- checks on each later act ---------------------------------------------------------------------

def check_answer(consultation: Consultation, party: str) -> None:
    if party not in consultation.invited:
        raise PermissionDenied(Message(N_("{party} is not invited to this consultation; only "
                                          "an invited Party answers (Art. 12)."), party=party),
                               article="Art. 12", party=party)
    if party in consultation.answers:
        raise RuleViolation(Message(N_("{party} already answered this invitation (Art. 12)."),
                                    party=party), article="Art. 12", party=party)


def check_requester(consultation: Consultation, party: str) -> None:
    if party != consultation.requester:
        raise PermissionDenied(Message(N_("The agenda, date and minutes are kept by the Party "
                                          "that requested the consultation ({requester}) "
                                          "(Art. 12)."), requester=consultation.requester),
                               article="Art. 12", party=party)


def check_schedule(consultation: Consultation, held_on: date, place: str, online: bool,
                   today: date) -> None:
    if consultation.minutes is not None:
        raise RuleViolation(Message(N_("The minutes are recorded; the consultation is not "
                                       "rescheduled (Art. 12).")), article="Art. 12")
    if held_on < today:
        raise InvalidInput(Message(N_("A consultation is scheduled for today or later, not "
                                      "{held_on}."), held_on=held_on), field="date")
    if online == bool(place.strip()):
        raise InvalidInput(Message(N_("Give either a place or online, not both and not "
                                      "neither.")), field="place")


def check_minutes(consultation: Consultation, present: Sequence[str], today: date
                  ) -> tuple[str, ...]:
    if consultation.held_on is None:
        raise RuleViolation(Message(N_("The consultation is not scheduled yet; minutes follow "
                                       "a consultation held (Art. 12).")), article="Art. 12")
    if consultation.minutes is not None:
        raise RuleViolation(Message(N_("The minutes of this consultation are already "
                                       "recorded; nothing is edited in place.")),
                            article="Art. 12")
    if consultation.held_on > today:
        raise RuleViolation(Message(N_("The consultation is scheduled for {held_on}; its "
                                       "minutes are recorded on or after that day."),
                                    held_on=consultation.held_on), article="Art. 12")
    parties = tuple(sorted({p.strip().upper() for p in present if p.strip()}))
    allowed = consultation.accepted() | {consultation.requester}
    stray = sorted(set(parties) - allowed)
    if consultation.requester not in parties or stray:
        raise InvalidInput(Message(N_("The Parties present are the requesting Party and Parties "
                                      "that accepted the invitation ({allowed})."),
                                   allowed=", ".join(sorted(allowed))), field="present")
    return parties


def check_action(consultation: Consultation, party: str, owner: str, deadline: date) -> None:
    if consultation.minutes is None:
        raise RuleViolation(Message(N_("Follow-up actions are recorded after the minutes "
                                       "(Art. 12).")), article="Art. 12")
    if party not in consultation.present:
        raise PermissionDenied(Message(N_("Only a Party present at the consultation records "
                                          "its follow-up actions (Art. 12).")),
                               article="Art. 12", party=party)
    if owner not in consultation.present:
        raise InvalidInput(Message(N_("An action's owner is a Party present at the "
                                      "consultation ({present})."),
                                   present=", ".join(consultation.present)), field="owner")
    if consultation.held_on is not None and deadline < consultation.held_on:
        raise InvalidInput(Message(N_("An action's deadline ({deadline}) may not precede the "
                                      "consultation ({held_on})."), deadline=deadline,
                                   held_on=consultation.held_on), field="deadline")


def check_action_done(action: Action, party: str) -> None:
    if party != action.owner:
        raise PermissionDenied(Message(N_("Only the action's owner ({owner}) marks it done."),
                                       owner=action.owner), party=party)
    if action.done_on is not None:
        raise RuleViolation(Message(N_("This action is already done.")))


# --- fold and view --------------------------------------------------------------------------------

def fold(events: Sequence[Event]) -> Consultation:
    first = events[0]
    body = first.body
    consultation = Consultation(
        id=first.record_id, subject=body["subject"], articles=tuple(body["articles"]),
        requester=first.origin_party, invited=tuple(body["invited"]), requested_at=first.at)
    for event in events[1:]:
        _apply(consultation, event)
    consultation.last_position = events[-1].position
    return consultation


def _apply(c: Consultation, event: Event) -> None:
    body, kind = event.body, event.kind
    if kind is EventKind.CONSULTATION_ANSWERED:
        c.answers[event.origin_party] = bool(body["accepted"])
    elif kind is EventKind.CONSULTATION_SCHEDULED:
        c.agenda = tuple(body.get("agenda", ()))
        c.held_on = date.fromisoformat(body["date"])
        c.place = body.get("place")
        c.online = bool(body.get("online"))
        c.schedule_revision += 1
    elif kind is EventKind.CONSULTATION_MINUTES:
        c.minutes = body["minutes"]
        c.present = tuple(body["present"])
        c.decisions = tuple(body.get("decisions", ()))
    elif kind is EventKind.CONSULTATION_ACTION_ADDED:
        c.actions.append(Action(id=body["action_id"], description=body["description"],
                                owner=body["owner"], deadline=date.fromisoformat(body["deadline"]),
                                added_by=event.actor_name))
    elif kind is EventKind.CONSULTATION_ACTION_DONE:
        found = c.action(str(body["action_id"]))
        if found is not None:
            found.done_on = event.at.date()


def view(c: Consultation, today: date) -> dict[str, Any]:
    return {
        "id": c.id, "subject": c.subject, "articles": list(c.articles),
        "requester": c.requester, "invited": list(c.invited),
        "requested_at": c.requested_at.isoformat(),
        "accepted": sorted(c.accepted()),
        "declined": sorted(p for p, yes in c.answers.items() if not yes),
        "awaiting_answer": sorted(set(c.invited) - set(c.answers)),
        "agenda": list(c.agenda), "date": c.held_on.isoformat() if c.held_on else None,
        "place": c.place, "online": c.online, "schedule_revision": c.schedule_revision,
        "minutes": c.minutes, "present": list(c.present), "decisions": list(c.decisions),
        "actions": [{"id": a.id, "description": a.description, "owner": a.owner,
                     "deadline": a.deadline.isoformat(), "added_by": a.added_by,
                     "done_on": a.done_on.isoformat() if a.done_on else None,
                     "overdue": a.overdue(today)} for a in c.actions],
        "overdue_actions": sum(a.overdue(today) for a in c.actions),
    }


def texts(values: Iterable[str]) -> list[str]:
    """Non-empty lines, stripped (agenda items, decisions)."""
    return [v.strip() for v in values if v.strip()]

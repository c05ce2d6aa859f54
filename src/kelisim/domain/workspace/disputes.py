"""Disputes on the application or interpretation of the Agreement (issue 15 item 5; Art. 12),
as the fold of events.

* Art. 12: disputes on applying or interpreting the Agreement are settled by consultations and
  negotiations of the Parties concerned. A Party opens one through its authorized body (Art. 8),
  while the Agreement is in force for it (Art. 13-15), naming the articles (of the fifteen, as
  `kelisim/data/articles.json` numbers them) and the Parties concerned: two or more, itself
  among them, each bound by the Agreement on the day.
* The log of consultations and negotiations is kept by the Parties concerned only; an entry may
  name a consultation of the workspace (`consultations.py`) in which the logging Party took part.
* The outcome (settled by consultations or by negotiations, and its text) is recorded once, by
  a Party concerned, and closes the dispute: no log entry follows.
* Who sees what is decided by `domain.access.dispute_view`: the Parties concerned see all; the
  others (the depositary included) see nothing until every Party concerned consented to share,
  and then the subject, the articles, the Parties concerned and the outcome, not the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from kelisim.domain.access import DisputeView
from kelisim.domain.errors import N_, InvalidInput, Message, PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace.consultations import Consultation
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.domain.workspace.project import Event, EventKind

ARTICLE = "Art. 12"


class Matter(StrEnum):
    APPLICATION = "application"
    INTERPRETATION = "interpretation"


class Means(StrEnum):
    """Art. 12: the two means of settlement, the kind of a log entry and of the outcome."""

    CONSULTATIONS = "consultations"
    NEGOTIATIONS = "negotiations"


@dataclass(frozen=True)
class LogEntry:
    id: str
    means: Means
    held_on: date
    summary: str
    party: str
    actor_name: str
    at: datetime
    consultation_id: str | None = None


@dataclass(frozen=True)
class Outcome:
    means: Means
    text: str
    party: str
    on: date


@dataclass
class Dispute:
    id: str
    subject: str
    matter: Matter
    articles: tuple[int, ...]
    opener: str
    concerned: tuple[str, ...]
    opened_at: datetime
    log: list[LogEntry] = field(default_factory=list)
    share_consents: dict[str, date] = field(default_factory=dict)
    outcome: Outcome | None = None
    last_position: int = 0

    def shared(self) -> bool:
        """Every Party concerned consented to share it (Art. 12)."""
        return set(self.concerned) <= set(self.share_consents)


# --- checks ---------------------------------------------------------------------------------------

def parse_matter(value: str) -> Matter:
    try:
        return Matter(value.strip().lower())
    except ValueError:
        raise InvalidInput(Message(N_("A dispute is on the application or on the "
                                      "interpretation of the Agreement (Art. 12).")),
                           field="matter", article=ARTICLE) from None


def parse_means(value: str) -> Means:
    try:
        return Means(value.strip().lower())
    except ValueError:
        raise InvalidInput(Message(N_("Disputes are settled by consultations or by "
                                      "negotiations (Art. 12).")),
                           field="means", article=ARTICLE) from None


def check_concerned(opener: str, concerned: Sequence[str], states: dict[str, PartyState],
                    on: date) -> tuple[str, ...]:
    """Art. 12, 13-15: two or more Parties concerned, the opener among them, each bound."""
    parties = tuple(sorted({p.strip().upper() for p in concerned if p.strip()} | {opener}))
    if len(parties) < 2:
        raise InvalidInput(Message(N_("Name the other Parties concerned: a dispute is between "
                                      "two or more Parties (Art. 12).")),
                           field="concerned", article=ARTICLE)
    for party in parties:
        state = states.get(party, PartyState.NOT_PARTY)
        if state not in JOINING_STATES:
            raise RuleViolation(Message(N_("The Agreement is not in force for {party} on {on} "
                                           "(its state: {state}); a dispute on it is between "
                                           "Parties bound by it (Art. 12, 13, 14)."),
                                        party=party, on=on, state=state),
                                article="Art. 12, 13, 14", party=party, state=state.value)
    return parties


def check_concerned_party(dispute: Dispute, party: str) -> None:
    if party not in dispute.concerned:
        raise PermissionDenied(Message(N_("{party} is not a Party concerned in this dispute; "
                                          "only the Parties concerned act in it (Art. 12)."),
                                       party=party), article=ARTICLE, party=party)


def check_open(dispute: Dispute) -> None:
    if dispute.outcome is not None:
        raise RuleViolation(Message(N_("This dispute was settled on {on}; its record is "
                                       "closed (Art. 12)."), on=dispute.outcome.on),
                            article=ARTICLE)


def check_log_entry(dispute: Dispute, party: str, held_on: date, today: date,
                    consultation: Consultation | None) -> None:
    check_concerned_party(dispute, party)
    check_open(dispute)
    if held_on > today or held_on < dispute.opened_at.date():
        raise InvalidInput(Message(N_("A log entry records consultations or negotiations held "
                                      "between the opening of the dispute ({opened}) and "
                                      "today."), opened=dispute.opened_at.date()),
                           field="held_on")
    if consultation is not None and party not in {consultation.requester,
                                                  *consultation.invited}:
        raise InvalidInput(Message(N_("{party} took no part in consultation {consultation}; "
                                      "a log entry names a consultation of its own Party."),
                                   party=party, consultation=consultation.id),
                           field="consultation_id")


def check_share_consent(dispute: Dispute, party: str) -> None:
    check_concerned_party(dispute, party)
    if party in dispute.share_consents:
        raise RuleViolation(Message(N_("{party} already consented to share this dispute "
                                       "(Art. 12)."), party=party), article=ARTICLE)


def check_outcome(dispute: Dispute, party: str) -> None:
    check_concerned_party(dispute, party)
    check_open(dispute)


# --- fold and view --------------------------------------------------------------------------------

def fold(events: Sequence[Event]) -> Dispute:
    first = events[0]
    body = first.body
    dispute = Dispute(id=first.record_id, subject=body["subject"], matter=Matter(body["matter"]),
                      articles=tuple(body["articles"]), opener=first.origin_party,
                      concerned=tuple(body["concerned"]), opened_at=first.at)
    for event in events[1:]:
        _apply(dispute, event)
    dispute.last_position = events[-1].position
    return dispute


def _apply(d: Dispute, event: Event) -> None:
    body, kind = event.body, event.kind
    if kind is EventKind.DISPUTE_LOGGED:
        d.log.append(LogEntry(id=body["entry_id"], means=Means(body["means"]),
                              held_on=date.fromisoformat(body["held_on"]),
                              summary=body["summary"], party=event.origin_party,
                              actor_name=event.actor_name, at=event.at,
                              consultation_id=body.get("consultation_id")))
    elif kind is EventKind.DISPUTE_SHARE_CONSENTED:
        d.share_consents.setdefault(event.origin_party, event.at.date())
    elif kind is EventKind.DISPUTE_SETTLED and d.outcome is None:
        d.outcome = Outcome(means=Means(body["means"]), text=body["text"],
                            party=event.origin_party, on=event.at.date())


def view(d: Dispute, level: DisputeView) -> dict[str, Any]:
    """The dispute as `level` sees it (`domain.access.dispute_view`); NONE is never shown."""
    outcome = None if d.outcome is None else {
        "means": d.outcome.means.value, "text": d.outcome.text, "party": d.outcome.party,
        "on": d.outcome.on.isoformat()}
    seen: dict[str, Any] = {
        "id": d.id, "subject": d.subject, "matter": d.matter.value, "articles": list(d.articles),
        "opener": d.opener, "concerned": list(d.concerned),
        "opened_on": d.opened_at.date().isoformat(),
        "status": "settled" if d.outcome else "open", "outcome": outcome,
        "shared": d.shared(), "view": level.value,
    }
    if level is DisputeView.FULL:
        seen["opened_at"] = d.opened_at.isoformat()
        seen["share_consents"] = {p: on.isoformat() for p, on in sorted(d.share_consents.items())}
        seen["awaiting_share_consent"] = sorted(set(d.concerned) - set(d.share_consents))
        seen["log"] = [{"id": e.id, "means": e.means.value, "held_on": e.held_on.isoformat(),
                        "summary": e.summary, "party": e.party, "actor_name": e.actor_name,
                        "at": e.at.isoformat(), "consultation_id": e.consultation_id}
                       for e in d.log]
    return seen

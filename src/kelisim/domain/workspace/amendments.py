"""Proposals of amendments and additions to the Agreement, discussed in the workspace (Art. 11),
as the fold of events.

* An authorized body of a Party bound by the Agreement proposes amendments: a title and the
  amended text in kk, ru and en, as the articles replaced, inserted or repealed (the structure
  the depositary's `protocol` entry records, `domain.protocols`), with an explanatory note.
* Every bound Party discusses it (remarks, kept in order) and gives its consent: Art. 11 makes
  amendments "by mutual consent of the Parties"; the proposal says which Parties bound on the
  day have consented and which have not.
* The proposing Party withdraws it; once adopted, the depositary records the protocol with
  `"proposal": <this id>`, and the proposal shows the protocol it became (read from the ledger).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kelisim.domain.errors import N_, Message, PermissionDenied, RuleViolation
from kelisim.domain.protocols import Amendment
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.domain.workspace.project import Event, EventKind

ART = "Art. 11"


@dataclass
class Remark:
    party: str
    author: str
    at: datetime
    text: str


@dataclass
class Proposal:
    id: str
    origin: str
    proposed_at: datetime
    titles: dict[str, str]
    amendments: list[dict[str, Any]]
    note: str
    remarks: list[Remark] = field(default_factory=list)
    consents: dict[str, datetime] = field(default_factory=dict)
    withdrawn: str | None = None
    last_position: int = 0


def check_party(party: str, state: PartyState, on: date) -> None:
    """Art. 11: amendments are made by mutual consent of the Parties, so only a Party for which
    the Agreement is in force proposes, discusses or consents."""
    if state not in JOINING_STATES:
        raise RuleViolation(Message(N_("The Agreement is not in force for {party} on {on} (its "
                                       "state: {state}); only its Parties propose and consent "
                                       "to amendments (Art. 11)."),
                                    party=party, on=on, state=state),
                            article=ART, party=party, state=state.value)


def check_open(proposal: Proposal) -> None:
    if proposal.withdrawn is not None:
        raise RuleViolation(Message(N_("This proposal of amendments was withdrawn.")),
                            article=ART)


def check_consent(proposal: Proposal, party: str) -> None:
    check_open(proposal)
    if party in proposal.consents:
        raise RuleViolation(Message(N_("{party} has already consented to this proposal "
                                       "(Art. 11)."), party=party), article=ART, party=party)


def check_withdrawal(proposal: Proposal, party: str) -> None:
    if party != proposal.origin:
        raise PermissionDenied(Message(N_("Only the proposing Party ({party}) withdraws its "
                                          "proposal (Art. 11)."), party=proposal.origin),
                               article=ART, party=party)
    check_open(proposal)


def amendments_json(amendments: Iterable[Amendment]) -> list[dict[str, Any]]:
    return [a.to_json() for a in amendments]


def fold(events: Sequence[Event]) -> Proposal:
    first = events[0]
    body = first.body
    proposal = Proposal(id=first.record_id, origin=first.origin_party, proposed_at=first.at,
                        titles=dict(body["titles"]), amendments=list(body["amendments"]),
                        note=body.get("note", ""))
    proposal.consents[first.origin_party] = first.at  # proposing is consenting
    for event in events[1:]:
        if event.kind is EventKind.AMENDMENT_DISCUSSED:
            proposal.remarks.append(Remark(event.origin_party, event.actor_name, event.at,
                                           event.body["text"]))
        elif event.kind is EventKind.AMENDMENT_CONSENTED:
            proposal.consents[event.origin_party] = event.at
        elif event.kind is EventKind.AMENDMENT_WITHDRAWN:
            proposal.withdrawn = event.body["reason"]
    proposal.last_position = events[-1].position
    return proposal


def view(proposal: Proposal, bound: Iterable[str], protocol: str | None) -> dict[str, Any]:
    """`bound`: the Parties bound by the Agreement today, whose consent Art. 11 needs;
    `protocol`: the protocol the depositary recorded from this proposal, if any."""
    parties = sorted(bound)
    return {
        "id": proposal.id, "origin": proposal.origin,
        "proposed_at": proposal.proposed_at.isoformat(), "titles": proposal.titles,
        "amendments": proposal.amendments, "note": proposal.note,
        "remarks": [{"party": r.party, "author": r.author, "at": r.at.isoformat(),
                     "text": r.text} for r in proposal.remarks],
        "consents": {party: at.isoformat() for party, at in sorted(proposal.consents.items())},
        "awaiting_consent": [p for p in parties if p not in proposal.consents],
        "agreed": bool(parties) and all(p in proposal.consents for p in parties),
        "withdrawn": proposal.withdrawn, "protocol": protocol, "article": ART,
    }

"""A snapshot of a project's fold: a derived cache, never the record (docs/decisions/0015).

The events stay the record (nothing is edited in place); the snapshot is the fold of the first
`last_position` of them, kept with the projection row so that a read folds only the events after
it (`advance`). It is kept by the transaction that appends an event (never by a read); one
missing, of another `VERSION` or behind is folded anew in memory by a read and kept again at the
next write or start. It holds the costs' totals and count, not the costs (read a page at a time
from their events). What depends on the day or on the Parties' withdrawal dates (Art. 15) is
not kept: a participation's end is computed again from the withdrawal dates known at the read,
as `fold` computes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kelisim.domain.workspace import participation as joining
from kelisim.domain.workspace.participation import Participation
from kelisim.domain.workspace.project import Project, ProjectKind
from kelisim.domain.workspace.stages import Consent, Stage

VERSION = 3
"""Raised whenever the shape of `Project` changes: an older snapshot is then folded anew."""


def snapshot(project: Project) -> dict[str, Any]:
    """The fold as JSON-safe values."""
    return {
        "v": VERSION, "id": project.id, "kind": project.kind.value, "title": project.title,
        "goals": project.goals, "directions": list(project.directions),
        "lead_party": project.lead_party, "origin_party": project.origin_party,
        "proposed_at": project.proposed_at.isoformat(),
        "participations": [[p.party, p.joined_on.isoformat(), p.joined_by]
                           for p in project.participations],
        "stages": [{"id": s.id, "position": s.position, "title": s.title,
                    "deliverables": list(s.deliverables), "deadline": s.deadline.isoformat(),
                    "revision": s.revision, "consents": [_consent(c) for c in s.consents],
                    "completed_on": s.completed_on.isoformat() if s.completed_on else None}
                   for s in project.stages],
        "cost_totals": {party: {currency: str(total) for currency, total in row.items()}
                        for party, row in project.cost_totals.items()},
        "cost_count": project.cost_count,
        "shares": ({p: str(v) for p, v in project.shares.items()}
                   if project.shares is not None else None),
        "shares_revision": project.shares_revision,
        "shares_consents": [_consent(c) for c in project.shares_consents],
        "last_position": project.last_position,
    }


def restore(state: Mapping[str, Any] | None,
            withdrawal_dates: Mapping[str, Sequence[date]]) -> Project | None:
    """The fold a snapshot holds, or None if there is none usable (missing, another version)."""
    if not state or state.get("v") != VERSION:
        return None
    return Project(
        id=state["id"], kind=ProjectKind(state["kind"]), title=state["title"],
        goals=state["goals"], directions=tuple(state["directions"]),
        lead_party=state["lead_party"], origin_party=state["origin_party"],
        proposed_at=datetime.fromisoformat(state["proposed_at"]),
        participations=[_participation(party, date.fromisoformat(on), by, withdrawal_dates)
                        for party, on, by in state["participations"]],
        stages=[Stage(id=s["id"], position=s["position"], title=s["title"],
                      deliverables=tuple(s["deliverables"]),
                      deadline=date.fromisoformat(s["deadline"]), revision=s["revision"],
                      consents=[_consent_of(c) for c in s["consents"]],
                      completed_on=(date.fromisoformat(s["completed_on"])
                                    if s["completed_on"] else None))
                for s in state["stages"]],
        cost_totals={party: {currency: Decimal(total) for currency, total in row.items()}
                     for party, row in state["cost_totals"].items()},
        cost_count=state["cost_count"],
        shares=({p: Decimal(v) for p, v in state["shares"].items()}
                if state["shares"] is not None else None),
        shares_revision=state["shares_revision"],
        shares_consents=[_consent_of(c) for c in state["shares_consents"]],
        last_position=state["last_position"])


def _participation(party: str, joined: date, by: str,
                   withdrawal_dates: Mapping[str, Sequence[date]]) -> Participation:
    return Participation(party=party, joined_on=joined, joined_by=by,
                         ends_on=joining.ends_on(joined, withdrawal_dates.get(party, ())))


def _consent(consent: Consent) -> list[Any]:
    return [consent.party, consent.revision, consent.by, consent.at.isoformat()]


def _consent_of(values: Sequence[Any]) -> Consent:
    party, revision, by, at = values
    return Consent(party, int(revision), by, datetime.fromisoformat(at))

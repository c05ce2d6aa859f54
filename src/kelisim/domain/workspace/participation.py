"""Who takes part in a program or project, and until when (Art. 4; Art. 13-15).

* Art. 4: the Parties develop interstate programs and projects together; an authorized body's
  party-admin or analyst proposes one for its Party, and other Parties' bodies join it.
* Art. 13, 14: only a Party for which the Agreement is in force may join; it is in force for a
  Party until its withdrawal date (a Party that gave notice is still bound until then).
* Art. 15: a Party's participation ends by itself on its withdrawal date. It is computed when the
  record is read, from the depositary's ledger, never by a job that edits the record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import PermissionDenied, RuleViolation
from kelisim.domain.treaty import PartyState

JOINING_STATES = frozenset({PartyState.IN_FORCE, PartyState.WITHDRAWING})
"""Art. 13-15: the Agreement is in force for the Party (until its withdrawal date)."""

ACTING_ROLES = frozenset({Role.PARTY_ADMIN, Role.ANALYST})


@dataclass(frozen=True)
class Participation:
    """One span of a Party's taking part: from its joining to its withdrawal date, if any."""

    party: str
    joined_on: date
    joined_by: str
    ends_on: date | None = None

    def active_on(self, on: date) -> bool:
        return self.joined_on <= on and (self.ends_on is None or on < self.ends_on)


def ends_on(joined_on: date, withdrawal_dates: Iterable[date]) -> date | None:
    """Art. 15: the first withdrawal date after joining ends the participation."""
    later = [d for d in withdrawal_dates if d > joined_on]
    return min(later) if later else None


def require_acting_body(principal: Principal) -> str:
    """Art. 4, 8: a Party acts in the workspace through its authorized body's party-admin or
    analyst; returns the Party it acts for."""
    if (principal.role not in ACTING_ROLES or principal.party is None
            or principal.organization_kind is not OrganizationKind.AUTHORIZED_BODY):
        raise PermissionDenied("Only a party-admin or analyst of a Party's authorized body acts "
                               "in the cooperation workspace (Art. 4, Art. 8).",
                               article="Art. 4", action="workspace")
    return principal.party


def check_may_join(party: str, state: PartyState, on: date,
                   participations: Sequence[Participation]) -> None:
    """Art. 13-15: in force for the Party today; Art. 4: not already taking part."""
    if state not in JOINING_STATES:
        raise RuleViolation(f"The Agreement is not in force for {party} on {on.isoformat()} "
                            f"(its state: {state.value}); only Parties for which it is in force "
                            "take part in programs and projects (Art. 13, 14).",
                            article="Art. 13, 14", party=party, state=state.value)
    if any(p.party == party and p.active_on(on) for p in participations):
        raise RuleViolation(f"{party} already takes part in this project (Art. 4).",
                            article="Art. 4", party=party)


def active_parties(participations: Sequence[Participation], on: date) -> frozenset[str]:
    return frozenset(p.party for p in participations if p.active_on(on))


def check_participant(party: str, participations: Sequence[Participation], on: date,
                      what: str) -> None:
    if party not in active_parties(participations, on):
        raise RuleViolation(f"{party} does not take part in this project on {on.isoformat()}; "
                            f"only participating Parties {what} (Art. 4, Art. 5).",
                            article="Art. 5", party=party)

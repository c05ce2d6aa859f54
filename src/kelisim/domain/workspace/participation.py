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
from kelisim.domain.errors import N_, Message, PermissionDenied, RuleViolation
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
        raise PermissionDenied(Message(N_("Only a party-admin or analyst of a Party's "
                                          "authorized body acts in the cooperation workspace "
                                          "(Art. 4, Art. 8).")),
                               article="Art. 4", action="workspace")
    return principal.party


def check_may_join(party: str, state: PartyState, on: date,
                   participations: Sequence[Participation]) -> None:
    """Art. 13-15: in force for the Party today; Art. 4: not already taking part."""
    if state not in JOINING_STATES:
        raise RuleViolation(Message(N_("The Agreement is not in force for {party} on {on} "
                                       "(its state: {state}); only Parties for which it is in "
                                       "force take part in programs and projects "
                                       "(Art. 13, 14)."), party=party, on=on, state=state),
                            article="Art. 13, 14", party=party, state=state.value)
    if any(p.party == party and p.active_on(on) for p in participations):
        raise RuleViolation(Message(N_("{party} already takes part in this project (Art. 4)."),
                                    party=party), article="Art. 4", party=party)


def active_parties(participations: Sequence[Participation], on: date) -> frozenset[str]:
    return frozenset(p.party for p in participations if p.active_on(on))


WHAT_PARTICIPANTS_DO: dict[str, str] = {
    "consent to deadlines": N_("{party} does not take part in this project on {on}; only "
                               "participating Parties consent to deadlines (Art. 4, Art. 5)."),
    "record costs": N_("{party} does not take part in this project on {on}; only "
                       "participating Parties record costs (Art. 4, Art. 5)."),
    "agree cost shares": N_("{party} does not take part in this project on {on}; only "
                            "participating Parties agree cost shares (Art. 4, Art. 5)."),
}
"""One whole sentence per act, so that each language words it as it must."""


def check_participant(party: str, participations: Sequence[Participation], on: date,
                      what: str) -> None:
    if party not in active_parties(participations, on):
        raise RuleViolation(Message(WHAT_PARTICIPANTS_DO[what], party=party, on=on),
                            article="Art. 5", party=party)


def check_acts_for(acting_party: str, claimed_party: str | None) -> None:
    """Art. 4, 5: a Party consents, joins and records for itself; a form or request naming
    another Party is refused rather than silently recorded for the actor's own."""
    if claimed_party is not None and claimed_party.strip().upper() != acting_party:
        raise PermissionDenied(Message(N_("You act for {acting}: the consent of {party} is "
                                          "given by its own authorized body only "
                                          "(Art. 4, Art. 5)."),
                                       acting=acting_party, party=claimed_party.strip().upper()),
                               article="Art. 5", party=claimed_party)

"""Is certificate N valid in Party P on day D, and why? The rule, as a chain of reasons.

Pure: the caller passes the certificate (replayed from its events), its scheme, the arrangements
whose recognising Party is P, and the Parties' states under the Agreement on D (from the
depositary's record). Each reason cites the article it applies:

* Art. 2 — a certificate confirms a tool's conformity: issued on a date, valid in [issued_on,
  expires_on) unless suspended or withdrawn (docs/decisions/0009-certification-dates.md);
* Art. 3 (direction 14) — in another Party, only through a recognition arrangement in force on D,
  for the documents and up to the levels it names, until recognition ages out;
* Art. 13-15 — the Agreement binds only Parties for which it is in force: a withdrawn Party's
  recognitions (given or received) lapse on the date its withdrawal takes effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from kelisim.domain.calendar import months_after
from kelisim.domain.certification.lifecycle import Certificate, CertState, Requirement
from kelisim.domain.certification.recognition import AboveCap, Arrangement, Cap
from kelisim.domain.certification.schemes import ARTICLE, Scheme
from kelisim.domain.treaty import PartyState

ART_2 = "Art. 2"
ART_STATUS = "Art. 13-15"
BOUND = frozenset({PartyState.IN_FORCE, PartyState.WITHDRAWING})
"""A withdrawing Party is still bound until its withdrawal takes effect (Art. 15)."""


class ReasonCode(StrEnum):
    ISSUED = "issued"
    NOT_YET_ISSUED = "not_yet_issued"
    VALID_ON = "valid_on"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    OWN_PARTY = "own_party"
    PARTY_NOT_IN_FORCE = "party_not_in_force"
    ISSUING_PARTY_NOT_IN_FORCE = "issuing_party_not_in_force"
    NO_ARRANGEMENT = "no_arrangement"
    ARRANGEMENT_NOT_YET_IN_FORCE = "arrangement_not_yet_in_force"
    ARRANGEMENT_ENDED = "arrangement_ended"
    AGED_OUT = "aged_out"
    DOCUMENT_NOT_COVERED = "document_not_covered"
    LEVEL_ABOVE_CAP = "level_above_cap"
    RECOGNISED = "recognised"


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    ok: bool
    text: str
    article: str
    on: date | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code.value, "ok": self.ok, "text": self.text,
                "article": self.article, "on": self.on.isoformat() if self.on else None,
                **({"details": dict(self.details)} if self.details else {})}


@dataclass(frozen=True)
class Verdict:
    valid: bool
    number: str
    party: str
    day: date
    reasons: tuple[Reason, ...]
    arrangement: str | None = None
    recognised: tuple[Requirement, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "in": self.party, "on": self.day.isoformat(),
                "valid": self.valid, "arrangement": self.arrangement,
                "recognised": [r.to_json() for r in self.recognised],
                "reasons": [r.to_json() for r in self.reasons]}


def verify(certificate: Certificate, scheme: Scheme, party: str, day: date,
           arrangements: Sequence[Arrangement],
           party_states: Mapping[str, PartyState]) -> Verdict:
    """The verdict on `certificate` in `party` on `day`, with every reason that decided it."""
    reasons = [Reason(ReasonCode.ISSUED, True,
                      f"Issued by scheme {scheme.key} ({scheme.name}) of {scheme.party} on "
                      f"{certificate.issued_on}.", ART_2, certificate.issued_on)]

    def verdict(valid: bool, *more: Reason, arrangement: str | None = None,
                recognised: tuple[Requirement, ...] = ()) -> Verdict:
        return Verdict(valid, certificate.number, party, day, (*reasons, *more), arrangement,
                       recognised)

    validity = _validity(certificate, day)
    reasons.append(validity)
    if not validity.ok:
        return verdict(False)
    if party == certificate.party:
        return verdict(True, Reason(ReasonCode.OWN_PARTY, True,
                                    f"{party} is the issuing Party: its own scheme's certificate "
                                    "needs no recognition.", ARTICLE, day),
                       recognised=certificate.requirements)
    lapsed = _parties_not_bound(certificate.party, party, day, party_states)
    if lapsed:
        return verdict(False, *lapsed)
    candidates = sorted((a for a in arrangements if a.recognising_party == party
                         and a.recognised_scheme == certificate.scheme),
                        key=lambda a: (a.valid_from, a.key))
    if not candidates:
        return verdict(False, Reason(ReasonCode.NO_ARRANGEMENT, False,
                                     f"No arrangement of {party} recognises scheme "
                                     f"{certificate.scheme}.", ARTICLE, day))
    failures: list[Reason] = []
    for arrangement in candidates:
        outcome = _through(arrangement, certificate, scheme, day)
        if isinstance(outcome, tuple):
            recognised, reason = outcome
            return verdict(True, reason, arrangement=arrangement.key, recognised=recognised)
        failures.extend(outcome)
    return verdict(False, *failures)


def _validity(cert: Certificate, day: date) -> Reason:
    period = cert.state_on(day)
    if period is None:
        return Reason(ReasonCode.NOT_YET_ISSUED, False,
                      f"Not yet issued on {day}: issued on {cert.issued_on}.", ART_2,
                      cert.issued_on)
    if period.state is CertState.VALID:
        return Reason(ReasonCode.VALID_ON, True,
                      f"Valid on {day} (certificate period {cert.issued_on} to "
                      f"{cert.expires_on}, the expiry day excluded).", ART_2, day)
    code = {CertState.SUSPENDED: ReasonCode.SUSPENDED, CertState.WITHDRAWN: ReasonCode.WITHDRAWN,
            CertState.EXPIRED: ReasonCode.EXPIRED}[period.state]
    following = next((p for p in cert.periods if p.start == period.end), None)
    until = (f" until {period.end}, when it was reinstated"
             if following is not None and following.state is CertState.VALID else "")
    return Reason(code, False, f"{period.state.value.capitalize()} on {period.start}{until}.",
                  ART_2, period.start)


def _parties_not_bound(issuing: str, party: str, day: date,
                       states: Mapping[str, PartyState]) -> list[Reason]:
    found = []
    for code, who in ((ReasonCode.PARTY_NOT_IN_FORCE, party),
                      (ReasonCode.ISSUING_PARTY_NOT_IN_FORCE, issuing)):
        state = states.get(who, PartyState.NOT_PARTY)
        if state not in BOUND:
            found.append(Reason(code, False,
                                f"The Agreement is not in force for {who} on {day} (state: "
                                f"{state.value}); recognition under it does not apply.",
                                ART_STATUS, day, {"party": who, "state": state.value}))
    return found


def _through(arrangement: Arrangement, cert: Certificate, scheme: Scheme,
             day: date) -> tuple[tuple[Requirement, ...], Reason] | list[Reason]:
    """Recognised requirements and the reason, or the reasons this arrangement fails."""
    key = arrangement.key
    if day < arrangement.valid_from:
        return [Reason(ReasonCode.ARRANGEMENT_NOT_YET_IN_FORCE, False,
                       f"Arrangement {key} is in force only from {arrangement.valid_from}.",
                       ARTICLE, arrangement.valid_from, {"arrangement": key})]
    if arrangement.ends_on is not None and day >= arrangement.ends_on:
        return [Reason(ReasonCode.ARRANGEMENT_ENDED, False,
                       f"Arrangement {key} ended on {arrangement.ends_on}.", ARTICLE,
                       arrangement.ends_on, {"arrangement": key})]
    if arrangement.recognition_period_months:
        ages_out = months_after(cert.assurance_base(), arrangement.recognition_period_months)
        if day >= ages_out:
            return [Reason(ReasonCode.AGED_OUT, False,
                           f"Recognition under {key} aged out on {ages_out}, "
                           f"{arrangement.recognition_period_months} months after the issue "
                           "or last maintenance.", ARTICLE, ages_out, {"arrangement": key})]
    recognised: list[Requirement] = []
    failures: list[Reason] = []
    for requirement in cert.requirements:
        cap = arrangement.cap_for(requirement.document, cert.technical_domain)
        got = _within(requirement, cap, arrangement, scheme, failures)
        if got is not None:
            recognised.append(got)
    if not recognised:
        return failures
    listed = "; ".join(f"{r.document} {_level_text(r)}" for r in recognised)
    return tuple(recognised), Reason(
        ReasonCode.RECOGNISED, True,
        f"Recognised in {arrangement.recognising_party} by arrangement {key} "
        f"({arrangement.name}) up to: {listed}.", ARTICLE, day, {"arrangement": key})


def _within(requirement: Requirement, cap: Cap | None, arrangement: Arrangement,
            scheme: Scheme, failures: list[Reason]) -> Requirement | None:
    key = arrangement.key
    if cap is None:
        failures.append(Reason(ReasonCode.DOCUMENT_NOT_COVERED, False,
                               f"Arrangement {key} does not cover {requirement.document}.",
                               ARTICLE, None, {"arrangement": key}))
        return None
    if cap.level is None:
        return requirement
    document = scheme.document(requirement.document)
    rank = document.rank(requirement.level) if document else None
    cap_rank = document.rank(cap.level) if document else None
    kept = tuple(a for a in requirement.augmentations
                 if any(a.startswith(allowed) for allowed in cap.augmentations))
    exceeds = (rank is None or cap_rank is None or rank > cap_rank
               or (rank == cap_rank and kept != requirement.augmentations))
    if not exceeds:
        return requirement
    if arrangement.above_cap is AboveCap.LIMIT and cap_rank is not None:
        level = requirement.level if rank == cap_rank else cap.level
        return Requirement(requirement.document, level, kept)
    failures.append(Reason(ReasonCode.LEVEL_ABOVE_CAP, False,
                           f"{requirement.document} {_level_text(requirement)} is above the "
                           f"cap of arrangement {key} ({cap.level}"
                           f"{' + ' + ' '.join(cap.augmentations) if cap.augmentations else ''}"
                           ").", ARTICLE, None, {"arrangement": key, "cap": cap.level}))
    return None


def _level_text(requirement: Requirement) -> str:
    return " + ".join([requirement.level, *requirement.augmentations])

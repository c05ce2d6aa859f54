"""Communication checks of the points of contact (issue 15 item 9; Art. 8, 9), as the UN's ICT
points-of-contact directory runs its "ping" tests.

* The depositary (which holds the list of authorized bodies, Art. 8) or a Party's authorized
  body (Art. 9) launches a check with a deadline: its targets are the current points of contact
  of every Party for which the Agreement is in force, or of the Parties it names (each bound).
* Each target receives a one-time link; following it and pressing the button acknowledges the
  check before the deadline, once, and records the response time. A named Party with no current
  contact is itself a finding, recorded with the check.
* After the deadline a target that did not answer is flagged "unanswered": read against the
  clock, never stored (docs/decisions/0015-workspace.md). The report gives each Party's answers
  and response times over the checks, oldest first.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kelisim.domain.errors import N_, Conflict, InvalidInput, Message, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace.contacts import Contact
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.domain.workspace.project import Event

ARTICLE = "Art. 8, 9"
DEPOSITARY_ORIGIN = "CIS"
"""The origin of a check the depositary (the CIS Executive Committee) launched: it is no Party,
and no ISO 3166-1 code is "CIS"."""
MAX_HOURS = 720


@dataclass(frozen=True)
class Target:
    id: str
    party: str
    contact_id: str
    contact_name: str


@dataclass
class Check:
    id: str
    origin: str
    launched_by: str
    launched_at: datetime
    deadline: datetime
    parties: tuple[str, ...]
    without_contacts: tuple[str, ...]
    targets: tuple[Target, ...]
    answers: dict[str, datetime] = field(default_factory=dict)

    def target(self, target_id: str) -> Target | None:
        return next((t for t in self.targets if t.id == target_id), None)

    def state(self, target: Target, now: datetime) -> str:
        if target.id in self.answers:
            return "answered"
        return "unanswered" if now >= self.deadline else "awaiting"

    def seconds(self, target: Target) -> float | None:
        answered = self.answers.get(target.id)
        return None if answered is None else (answered - self.launched_at).total_seconds()


def parse_deadline(hours: int) -> timedelta:
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(Message(N_("A check's deadline is 1 to {limit} hours after its "
                                      "launch."), limit=MAX_HOURS), field="hours")
    return timedelta(hours=hours)


def select_targets(contacts: Iterable[Contact], states: Mapping[str, PartyState],
                   named: Sequence[str], on: object) -> tuple[tuple[str, ...], list[Contact]]:
    """The Parties checked (the named ones, each bound; or every bound Party) and their
    current contacts."""
    bound = {party for party, state in states.items() if state in JOINING_STATES}
    parties = sorted({p.strip().upper() for p in named if p.strip()})
    for party in parties:
        if party not in bound:
            state = states.get(party, PartyState.NOT_PARTY)
            raise RuleViolation(Message(N_("The Agreement is not in force for {party} on {on} "
                                           "(its state: {state}); checks reach the authorized "
                                           "bodies of Parties bound by it (Art. 8, 13, 14)."),
                                        party=party, on=on, state=state),
                                article="Art. 8, 13, 14", party=party)
    chosen = parties or sorted(bound)
    targets = [c for c in contacts if c.current and c.party in chosen]
    if not targets:
        raise RuleViolation(Message(N_("No current point of contact of the Parties checked "
                                       "({parties}); nothing to check."),
                                    parties=", ".join(chosen) or "—"), article=ARTICLE)
    return tuple(chosen), targets


def check_acknowledgement(check: Check, target: Target, now: datetime) -> None:
    answered = check.answers.get(target.id)
    if answered is not None:
        raise Conflict(Message(N_("This check was already acknowledged on {at}; a link "
                                  "answers once."), at=answered), article=ARTICLE)
    if now >= check.deadline:
        raise RuleViolation(Message(N_("This check's deadline ({deadline}) has passed; it "
                                       "stays unanswered."), deadline=check.deadline),
                            article=ARTICLE)


def fold(launched: Event, answers: Iterable[Event]) -> Check:
    body = launched.body
    check = Check(id=launched.record_id, origin=launched.origin_party,
                  launched_by=launched.actor_name, launched_at=launched.at,
                  deadline=datetime.fromisoformat(body["deadline"]),
                  parties=tuple(body["parties"]),
                  without_contacts=tuple(body.get("without_contacts", ())),
                  targets=tuple(Target(t["id"], t["party"], t["contact_id"], t["contact_name"])
                                for t in body["targets"]))
    for answer in answers:
        check.answers.setdefault(answer.record_id, answer.at)
    return check


def view(check: Check, now: datetime) -> dict[str, Any]:
    targets = [{"id": t.id, "party": t.party, "contact_id": t.contact_id,
                "contact_name": t.contact_name, "state": check.state(t, now),
                "answered_at": check.answers[t.id].isoformat() if t.id in check.answers
                else None, "response_seconds": check.seconds(t)} for t in check.targets]
    return {"id": check.id, "origin": check.origin, "launched_by": check.launched_by,
            "launched_at": check.launched_at.isoformat(),
            "deadline": check.deadline.isoformat(), "parties": list(check.parties),
            "without_contacts": list(check.without_contacts),
            "closed": now >= check.deadline, "targets": targets,
            "unanswered": sum(t["state"] == "unanswered" for t in targets),
            "answered": sum(t["state"] == "answered" for t in targets)}


def report(checks: Sequence[Check], now: datetime) -> list[dict[str, Any]]:
    """Per Party, over the checks oldest first: targets, answers, unanswered (flagged), the
    median and slowest response, and a row per check."""
    rows: dict[str, dict[str, Any]] = {}
    for check in sorted(checks, key=lambda c: c.launched_at):
        for party in check.parties:
            mine = [t for t in check.targets if t.party == party]
            times = [s for t in mine if (s := check.seconds(t)) is not None]
            states = [check.state(t, now) for t in mine]
            row = rows.setdefault(party, {"party": party, "checks": 0, "targets": 0,
                                          "answered": 0, "unanswered": 0, "awaiting": 0,
                                          "no_contact": 0, "_times": [], "history": []})
            row["checks"] += 1
            row["targets"] += len(mine)
            for name in ("answered", "unanswered", "awaiting"):
                row[name] += states.count(name)
            row["no_contact"] += party in check.without_contacts
            row["_times"].extend(times)
            row["history"].append({
                "check_id": check.id, "launched_at": check.launched_at.isoformat(),
                "targets": len(mine), "answered": states.count("answered"),
                "unanswered": states.count("unanswered"), "awaiting": states.count("awaiting"),
                "no_contact": party in check.without_contacts,
                "median_seconds": statistics.median(times) if times else None,
                "flagged": "unanswered" in states or party in check.without_contacts})
    for row in rows.values():
        times = row.pop("_times")
        row["median_seconds"] = statistics.median(times) if times else None
        row["max_seconds"] = max(times) if times else None
        row["flagged"] = row["unanswered"] > 0 or row["no_contact"] > 0
    return [rows[p] for p in sorted(rows)]

"""Communication checks as use cases (issue 15 item 9; Art. 8, 9): launch, acknowledge through
the one-time link, read one check, list them, report per Party over time.

A check is one event (`check_launched`, its targets in the body); each target's answer is a
record of its own (the target's id, position 1), so the unique (record, position) lets a link
answer once even when followed twice at the same instant. Only the SHA-256 of each token is
stored (`workspace_check_tokens`); the links are returned once, and mailed at launch to
each target whose channels name an e-mail address when SMTP is configured
(`notifications.delivery.mail_check_links`, decision 0025), or printed by the CLI.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal, Role
from kelisim.domain.errors import N_, Conflict, Message, NotFound
from kelisim.domain.notifications import mail_language
from kelisim.domain.workspace import checks as rules
from kelisim.domain.workspace import participation as joining
from kelisim.domain.workspace.checks import Check, Target
from kelisim.domain.workspace.project import Event, EventKind
from kelisim.services.notifications.delivery import mail_check_links
from kelisim.services.participation import party_state_on, party_states_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace.contacts import all_contacts
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository

ACK_PATH = "/workspace/checks/ack/"


def launch_check(rt: Runtime, principal: Principal, *, hours: int,
                 parties: Sequence[str] = ()) -> dict[str, Any]:
    """The depositary or a Party's authorized body checks that the points of contact answer:
    every current contact of the named Parties (or of every Party bound) gets a one-time link."""
    require(principal, Action.LAUNCH_CONTACT_CHECK)
    window = rules.parse_deadline(hours)
    with rt.unit_of_work() as uow:
        now = rt.clock()
        if principal.role is not Role.DEPOSITARY:
            party = joining.require_acting_body(principal)
            joining.check_may_join(party, party_state_on(rt, party, now.date(), uow),
                                   now.date(), [])
        chosen, contacts = rules.select_targets(all_contacts(uow),
                                                party_states_on(rt, now.date(), uow),
                                                parties, now.date())
        targets = [{"id": str(uuid.uuid4()), "party": c.party, "contact_id": c.id,
                    "contact_name": c.name, "email": c.email(),
                    "language": mail_language(c.languages)} for c in contacts]
        tokens = {str(t["id"]): secrets.token_urlsafe(32) for t in targets}
        reached = {c.party for c in contacts}
        deadline = (now + window).isoformat()
        body = {"deadline": deadline, "parties": list(chosen),
                "without_contacts": [p for p in chosen if p not in reached],
                "targets": [{k: v for k, v in t.items() if k not in ("email", "language")}
                            for t in targets]}
        event = Event(id=str(uuid.uuid4()), record_id=str(uuid.uuid4()), position=1,
                      kind=EventKind.CHECK_LAUNCHED,
                      origin_party=principal.party or rules.DEPOSITARY_ORIGIN,
                      actor_account=principal.account_id, actor_name=principal.name, at=now,
                      body=body)
        repo = WorkspaceRepository(uow.connection)
        repo.append(event)
        repo.add_check_tokens(event.record_id, {i: _digest(t) for i, t in tokens.items()})
        uow.commit()
    links = [{"target_id": t["id"], "party": t["party"], "contact_name": t["contact_name"],
              "email": t["email"], "language": t["language"],
              "path": ACK_PATH + tokens[str(t["id"])], "mailed": False} for t in targets]
    mail_check_links(rt, links, f"{deadline[:16].replace('T', ' ')} UTC")
    return {**rules.view(rules.fold(event, []), now), "links": links}


def acknowledgement_of(rt: Runtime, token: str) -> dict[str, Any]:
    """What a link is for, without answering (the page with the button): the check, the
    contact, and whether it is awaited, answered or past its deadline."""
    with rt.unit_of_work() as uow:
        check, target = _by_token(uow, token)
    return _answer_view(check, target, rt.clock())


def acknowledge(rt: Runtime, token: str) -> dict[str, Any]:
    """The contact answers: once, before the deadline; the response time is recorded."""
    with rt.unit_of_work() as uow:
        check, target = _by_token(uow, token)
        now = rt.clock()
        rules.check_acknowledgement(check, target, now)
        event = Event(id=str(uuid.uuid4()), record_id=target.id, position=1,
                      kind=EventKind.CHECK_ACKNOWLEDGED, origin_party=target.party,
                      actor_account=None, actor_name=target.contact_name[:200], at=now,
                      body={"check_id": check.id, "contact_id": target.contact_id})
        try:
            WorkspaceRepository(uow.connection).append(event)
            uow.commit()
        except IntegrityError:
            raise Conflict(Message(N_("This check was already acknowledged; a link answers "
                                      "once.")), article=rules.ARTICLE) from None
    check.answers[target.id] = now
    return _answer_view(check, target, now)


def show_check(rt: Runtime, principal: Principal, check_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        check = _load(uow, check_id)
    return rules.view(check, rt.clock())


def list_checks(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    """Newest first, without each target's line."""
    require(principal, Action.READ_WORKSPACE)
    now = rt.clock()
    with rt.unit_of_work() as uow:
        found = _all(uow)
    return [{k: v for k, v in rules.view(c, now).items() if k != "targets"}
            | {"targets": len(c.targets)} for c in sorted(found, key=lambda c: c.launched_at,
                                                           reverse=True)]


def report_checks(rt: Runtime, principal: Principal,
                  party: str | None = None) -> list[dict[str, Any]]:
    """Per Party over time: answers, unanswered (flagged), median and slowest response."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        found = _all(uow)
    rows = rules.report(found, rt.clock())
    code = party.strip().upper() if party else None
    return [r for r in rows if code is None or r["party"] == code]


def _all(uow: UnitOfWork) -> list[Check]:
    repo = WorkspaceRepository(uow.connection)
    launched = repo.first_events(EventKind.CHECK_LAUNCHED, limit=1000)
    targets = [t["id"] for e in launched for t in e.body["targets"]]
    answers = repo.events_of(targets)
    return [rules.fold(e, [a for t in e.body["targets"] for a in answers.get(t["id"], [])])
            for e in launched]


def _load(uow: UnitOfWork, check_id: str) -> Check:
    repo = WorkspaceRepository(uow.connection)
    events = repo.events(check_id)
    if not events or events[0].kind is not EventKind.CHECK_LAUNCHED:
        raise NotFound(Message(N_("No communication check {check}."), check=check_id),
                       field="check")
    answers = repo.events_of([t["id"] for t in events[0].body["targets"]])
    return rules.fold(events[0], [a for found in answers.values() for a in found])


def _by_token(uow: UnitOfWork, token: str) -> tuple[Check, Target]:
    found = WorkspaceRepository(uow.connection).check_token(_digest(token))
    if found is None:
        raise NotFound(Message(N_("This acknowledgement link is not valid: check that it was "
                                  "copied whole from the message.")), field="token")
    check = _load(uow, found[0])
    target = check.target(found[1])
    assert target is not None
    return check, target


def _answer_view(check: Check, target: Target, now: datetime) -> dict[str, Any]:
    return {"check_id": check.id, "party": target.party, "contact_name": target.contact_name,
            "launched_at": check.launched_at.isoformat(), "deadline": check.deadline.isoformat(),
            "state": check.state(target, now), "response_seconds": check.seconds(target),
            "answered_at": check.answers[target.id].isoformat()
            if target.id in check.answers else None}


def _digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()

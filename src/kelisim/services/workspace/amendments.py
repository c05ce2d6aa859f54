"""Proposals of amendments to the Agreement as use cases (Art. 11): propose, discuss, consent,
withdraw, read. Each reads the record's events, checks the rule
(`domain/workspace/amendments.py`) and appends one event; reading a proposal also reads the
depositary's record for the protocol it became (`"proposal": <id>` in the protocol's entry)."""

from __future__ import annotations

import uuid
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.depositary_record import DepositaryRecord, check_articles, replay_all
from kelisim.domain.errors import N_, Message, NotFound
from kelisim.domain.protocols import parse_amendments, parse_titles
from kelisim.domain.treaty import resolve_corrections
from kelisim.domain.workspace import amendments as rules
from kelisim.domain.workspace.amendments import Proposal
from kelisim.domain.workspace.participation import JOINING_STATES
from kelisim.domain.workspace.project import Event, EventKind
from kelisim.services.depositary import cis_membership, recorded_entries
from kelisim.services.participation import party_state_on, party_states_on
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import records
from kelisim.services.workspace.projects import acting_party, bounded_text
from kelisim.storage.unit_of_work import UnitOfWork
from kelisim.storage.workspace_repository import WorkspaceRepository

LIMIT = 1000


def propose(rt: Runtime, principal: Principal, *, titles: Any, amendments: Any,
            note: str = "") -> dict[str, Any]:
    party = acting_party(principal)
    parsed = parse_amendments(amendments)
    body = {"titles": parse_titles(titles), "amendments": rules.amendments_json(parsed),
            "note": bounded_text(note, "note", 20_000, optional=True)}
    with rt.unit_of_work() as uow:
        _check_party(rt, uow, party)
        check_articles(parsed, _record(uow).known_articles)
        return _append(rt, uow, principal, str(uuid.uuid4()), [],
                       EventKind.AMENDMENT_PROPOSED, body)


def discuss(rt: Runtime, principal: Principal, proposal_id: str, text: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, proposal_id)
        _check_party(rt, uow, party)
        rules.check_open(found)
        return _append(rt, uow, principal, proposal_id, events, EventKind.AMENDMENT_DISCUSSED,
                       {"text": bounded_text(text, "text", 20_000)})


def consent(rt: Runtime, principal: Principal, proposal_id: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, proposal_id)
        _check_party(rt, uow, party)
        rules.check_consent(found, party)
        return _append(rt, uow, principal, proposal_id, events, EventKind.AMENDMENT_CONSENTED,
                       {})


def withdraw(rt: Runtime, principal: Principal, proposal_id: str, reason: str) -> dict[str, Any]:
    party = acting_party(principal)
    with rt.unit_of_work() as uow:
        events, found = _load(uow, proposal_id)
        rules.check_withdrawal(found, party)
        return _append(rt, uow, principal, proposal_id, events, EventKind.AMENDMENT_WITHDRAWN,
                       {"reason": bounded_text(reason, "reason", 1000)})


def show(rt: Runtime, principal: Principal, proposal_id: str) -> dict[str, Any]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        _, found = _load(uow, proposal_id)
        return _view(rt, uow, [found])[0]


def list_proposals(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    """Every proposal of amendments, newest first."""
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        repo = WorkspaceRepository(uow.connection)
        firsts = repo.first_events(EventKind.AMENDMENT_PROPOSED, limit=LIMIT)
        grouped = repo.events_of([e.record_id for e in firsts])
        return _view(rt, uow, [rules.fold(grouped[e.record_id]) for e in firsts])


def history(rt: Runtime, principal: Principal, proposal_id: str) -> list[dict[str, Any]]:
    require(principal, Action.READ_WORKSPACE)
    with rt.unit_of_work() as uow:
        events, _ = _load(uow, proposal_id)
    return records.history(events)


def _check_party(rt: Runtime, uow: UnitOfWork, party: str) -> None:
    today = rt.clock().date()
    rules.check_party(party, party_state_on(rt, party, today, uow), today)


def _view(rt: Runtime, uow: UnitOfWork, proposals: list[Proposal]) -> list[dict[str, Any]]:
    states = party_states_on(rt, rt.clock().date(), uow)
    bound = [party for party, state in states.items() if state in JOINING_STATES]
    record = _record(uow)
    adopted = {protocol.proposal: treaty for treaty, (_, protocol) in record.protocols.items()
               if protocol.proposal}
    return [rules.view(p, bound, adopted.get(p.id)) for p in proposals]


def _record(uow: UnitOfWork) -> DepositaryRecord:
    record, _ = replay_all(resolve_corrections(recorded_entries(uow)),
                           cis_membership(uow.reference.states()))
    return record


def _load(uow: UnitOfWork, proposal_id: str) -> tuple[list[Event], Proposal]:
    events = WorkspaceRepository(uow.connection).events(proposal_id)
    if not events or events[0].kind is not EventKind.AMENDMENT_PROPOSED:
        raise NotFound(Message(N_("No proposal of amendments {proposal}."),
                               proposal=proposal_id), field="proposal")
    return events, rules.fold(events)


def _append(rt: Runtime, uow: UnitOfWork, principal: Principal, record_id: str,
            events: list[Event], kind: EventKind, body: dict[str, Any]) -> dict[str, Any]:
    event = records.next_event(rt, principal, record_id, events, kind, body)
    WorkspaceRepository(uow.connection).append(event)
    view = _view(rt, uow, [rules.fold([*events, event])])[0]
    uow.commit()
    return view

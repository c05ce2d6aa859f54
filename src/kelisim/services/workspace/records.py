"""What every record of the workspace shares: the next event of a record, made the one way
(a global id, the next position, the acting account's Party as origin, the clock's instant),
and a record's history as the API and the CLI list it (docs/decisions/0015-workspace.md)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from kelisim.domain.accounts import Principal
from kelisim.domain.inputs import stored_text
from kelisim.domain.workspace.project import Event, EventKind
from kelisim.services.runtime import Runtime


def next_event(rt: Runtime, principal: Principal, record_id: str, events: Sequence[Event],
               kind: EventKind, body: dict[str, Any], *, origin: str | None = None,
               position: int | None = None) -> Event:
    """The event that follows `events` (or is at `position`, when the caller read a snapshot
    rather than the events) in the record `record_id` (not yet stored); InvalidInput
    naming the field if any text of `body` holds a NUL, which PostgreSQL's text columns (the
    projections) refuse: the request is told why instead of failing inside the database."""
    _storable(body, "")
    party = origin or principal.party
    assert party is not None
    return Event(id=str(uuid.uuid4()), record_id=record_id,
                 position=position if position is not None else len(events) + 1,
                 kind=kind, origin_party=party, actor_account=principal.account_id,
                 actor_name=principal.name, at=rt.clock(), body=body)


def history(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Every change of a record: who, when, what."""
    return [{"id": e.id, "record_id": e.record_id, "position": e.position,
             "kind": e.kind.value, "origin_party": e.origin_party,
             "actor_account": e.actor_account, "actor_name": e.actor_name,
             "at": e.at.isoformat(), "body": dict(e.body)} for e in events]


def _storable(value: Any, where: str) -> None:
    if isinstance(value, str):
        stored_text(value, where or "text")
    elif isinstance(value, dict):
        for key, inner in value.items():
            _storable(inner, str(key))
    elif isinstance(value, (list, tuple)):
        for inner in value:
            _storable(inner, where)

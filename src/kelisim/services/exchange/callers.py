"""Who is asking, for the TAXII hot paths: the token's account, its Party's state today and the
collection row, found with one query (`storage.read_context`).

Why: a page (TAXII 2.1 section 5.4) and an envelope (section 5.5) each began with three units of
work - the token, the Party's state, the collection - at three round trips each on PostgreSQL.
Nothing is decided here beyond the token: the caller applies `domain.access` in its own order
(a withdrawn Party is refused before it learns whether a collection exists) and then takes its
view of the collection with `collections.found_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kelisim.domain.accounts import Principal, split_token
from kelisim.domain.inputs import storable
from kelisim.domain.treaty import PartyState
from kelisim.services.accounts import checked
from kelisim.services.exchange.collections import CollectionView, found_view
from kelisim.services.participation import party_state_at
from kelisim.services.runtime import Runtime
from kelisim.storage.read_context import ReadContexts
from kelisim.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Caller:
    principal: Principal
    state: PartyState | None
    """The Party's state on the day of the request (None: an account of no Party)."""
    collection_row: dict[str, Any] | None

    def collection(self) -> CollectionView:
        """The caller's view of the collection asked for; NotFound if it may not know it."""
        return found_view(self.collection_row, self.principal, self.state)


def caller_in(uow: UnitOfWork, rt: Runtime, token: str, collection_key: str) -> Caller:
    """In a unit of work the caller holds (an autocommit one suffices)."""
    token_id, secret = split_token(token)
    key_storable = storable(collection_key)  # else no collection has it: not found, after the token
    context = ReadContexts(uow.connection).find(token_id, collection_key if key_storable else "")
    found = (context.principal, context.token_hash) if context else (None, None)
    principal = checked(secret, *found)
    assert context is not None  # checked() refused a token of no active account
    state = None if principal.party is None else party_state_at(
        rt, principal.party, rt.clock().date(), context.ledger_seq)
    return Caller(principal, state, context.collection if key_storable else None)


def caller(rt: Runtime, token: str, collection_key: str) -> Caller:
    with rt.unit_of_work(autocommit=True) as uow:
        return caller_in(uow, rt, token, collection_key)

"""Which Parties the Agreement binds on a date: the question every access decision asks.

The exchange (Art. 6, 9) opens only to bodies of Parties for which the Agreement is in force on
the day of the request, so this is on the hot path. The answer depends only on the ledger and
the date; it is cached per (ledger head, date) and recomputed when anything is recorded.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from kelisim.domain.treaty import PartyState, replay, resolve_corrections, status_on
from kelisim.services.depositary import cis_membership, recorded_entries
from kelisim.services.runtime import Runtime
from kelisim.storage.unit_of_work import UnitOfWork

CACHE_KEY = "participation"
MAX_CACHED_DATES = 64


class _OnDate(NamedTuple):
    """What the ledger says of the Parties on one date: computed once per (ledger head, date)."""

    states: dict[str, PartyState]
    bodies: dict[str, frozenset[str]]


def _on_date(rt: Runtime, on: date, uow: UnitOfWork) -> _OnDate:
    head = uow.ledger.head()
    key = (head.seq if head else 0, on)
    cache: dict[tuple[int, date], _OnDate] = rt.caches.setdefault(CACHE_KEY, {})
    cached = cache.get(key)
    if cached is not None:
        return cached
    known = uow.reference.states()
    effective = resolve_corrections(recorded_entries(uow))
    status = status_on(effective, on, known, cis_membership(known))
    found = _OnDate(
        states={p.party: p.state for p in status.parties},
        bodies={p.party: frozenset(str(b["name"]) for b in p.authorized_bodies if b.get("name"))
                for p in status.parties if p.authorized_bodies})
    if len(cache) >= MAX_CACHED_DATES:
        cache.clear()
    cache[key] = found
    return found


def party_states_on(rt: Runtime, on: date,
                    uow: UnitOfWork | None = None) -> dict[str, PartyState]:
    """Every recorded or CIS state's PartyState on `on` (states never mentioned: not_party).

    `uow`: a unit of work the caller already holds (a hot path asks in its own transaction
    rather than checking out another connection for the ledger head)."""
    if uow is None:
        with rt.unit_of_work() as own:
            return _on_date(rt, on, own).states
    return _on_date(rt, on, uow).states


def party_state_on(rt: Runtime, party: str, on: date,
                   uow: UnitOfWork | None = None) -> PartyState:
    return party_states_on(rt, on, uow).get(party, PartyState.NOT_PARTY)


def party_state_at(rt: Runtime, party: str, on: date, ledger_seq: int) -> PartyState:
    """`party_state_on` when the caller already read the ledger head (the TAXII read's first
    query does): no round trip when the states for that head are cached; otherwise they are
    computed afresh in a transaction of their own."""
    cached = rt.caches.get(CACHE_KEY, {}).get((ledger_seq, on))
    states = cached.states if cached is not None else party_states_on(rt, on)
    return states.get(party, PartyState.NOT_PARTY)


def authorized_bodies_on(rt: Runtime, on: date) -> dict[str, frozenset[str]]:
    """Each Party's authorized bodies on `on`, by name, as notified to the depositary (Art. 8):
    what a producer may name as an individual recipient of its TLP content (Art. 6)."""
    with rt.unit_of_work() as uow:
        return _on_date(rt, on, uow).bodies


def parties_in_force(rt: Runtime, on: date) -> frozenset[str]:
    return frozenset(code for code, state in party_states_on(rt, on).items()
                     if state is PartyState.IN_FORCE)


def withdrawal_dates_on(rt: Runtime, on: date, uow: UnitOfWork) -> dict[str, tuple[date, ...]]:
    """Art. 15: every withdrawal date of every Party (each term's), from the instruments
    received by `on`; cached per (ledger head, date) like the states."""
    head = uow.ledger.head()
    key = (head.seq if head else 0, on)
    cache: dict[tuple[int, date], dict[str, tuple[date, ...]]] = rt.caches.setdefault(
        CACHE_KEY + ".withdrawals", {})
    cached = cache.get(key)
    if cached is not None:
        return cached
    known = uow.reference.states()
    record, _ = replay(resolve_corrections(recorded_entries(uow)), cis_membership(known),
                       until=on)
    found = {party: tuple(t.withdrawal_date for t in rec.terms if t.withdrawal_date)
             for party, rec in record.parties.items()}
    if len(cache) >= MAX_CACHED_DATES:
        cache.clear()
    cache[key] = found
    return found

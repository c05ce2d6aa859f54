"""The depositary's use cases: record instruments (one or a whole history), read the record.

Recording is all or nothing: the new entries are parsed, corrections resolved and the *whole*
record replayed through the Agreement's rules before anything is written, so a refusal leaves
the ledger exactly as it was and names the entry that broke a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import N_, InvalidInput, KelisimError, Message, NotFound
from kelisim.domain.instruments import (
    AnyInstrument,
    Correction,
    Instrument,
    RecordedEntry,
    parse_instrument,
)
from kelisim.domain.json_limits import json_problem
from kelisim.domain.states import StateInfo
from kelisim.domain.treaty import (
    EffectiveEntry,
    IsCisState,
    check_new_dates,
    replay,
    resolve_corrections,
)
from kelisim.services.federation.node import load_node
from kelisim.services.runtime import Runtime
from kelisim.storage.unit_of_work import UnitOfWork

MAX_BATCH = 10_000
_IN_REQUEST = N_("Entry {position} of the request: {reason}")


def record_entries(rt: Runtime, principal: Principal, raw_entries: Sequence[Any]) -> list[dict]:
    """Record instruments received by the depositary; returns each with its id and flags."""
    require(principal, Action.RECORD_INSTRUMENT)
    if not isinstance(raw_entries, Sequence) or isinstance(raw_entries, str | bytes):
        raise InvalidInput(Message(N_("Expected a list of entries.")))
    if not raw_entries:
        raise InvalidInput(Message(N_("There is no entry to record.")))
    if len(raw_entries) > MAX_BATCH:
        raise InvalidInput(Message(N_("At most {limit} entries can be recorded at once."),
                                   limit=MAX_BATCH))
    for position, raw in enumerate(raw_entries, 1):
        problem = json_problem(raw)
        if problem:
            raise InvalidInput(f"Entry {position} cannot be recorded: {problem}. Nothing was "
                               f"recorded.", position=position)
    instruments = [_parse_at(position, raw) for position, raw in enumerate(raw_entries, 1)]
    _refuse_on_a_replica(rt)
    now = rt.clock()
    with rt.unit_of_work() as uow:
        head = uow.ledger.lock()
        known_states = uow.reference.states()
        for position, item in enumerate(instruments, 1):
            _check_party_known(position, item, known_states)
        existing = recorded_entries(uow)
        new = [RecordedEntry(head.seq + i, item, now) for i, item in enumerate(instruments, 1)]
        positions = {entry.id: i for i, entry in enumerate(new, 1)}
        flags = _validate(existing, new, positions, known_states, now.date())
        results = []
        for entry in new:
            item = entry.instrument
            body = item.to_json()
            head = uow.ledger.append(head, now, body, recorded_by=principal.account_id or None)
            results.append({"id": head.seq, "recorded_at": now.isoformat(), "entry": body,
                            "hash": head.hash,
                            "flags": [f.as_dict() for f in flags.get(entry.id, ())]})
        uow.commit()
    return results


def _refuse_on_a_replica(rt: Runtime) -> None:
    """A Party's node holds the depositary's ledger as a copy (issue 14 item 2): instruments
    are recorded at the depositary's node, and reach this one by the next sync."""
    node = load_node(rt)
    if node is not None and not node.is_depositary:
        raise InvalidInput(Message(N_(
            "This node holds a copy of the depositary's record; instruments are recorded at "
            "the depositary's node ({url}), and reach this node by the next sync "
            "(Art. 13-15)."), url=node.depositary_url))


def _validate(existing: list[RecordedEntry], new: list[RecordedEntry], positions: dict[int, int],
              known_states: dict[str, StateInfo], today: date) -> dict:
    try:
        effective = resolve_corrections([*existing, *new])
        touched = _touched_by(new, effective)
        check_new_dates([e.instrument for e in effective if e.id in touched], today)
        _, flags = replay(effective, cis_membership(known_states))
    except KelisimError as refusal:
        _locate(refusal, positions)
        raise
    return flags


def _touched_by(new: list[RecordedEntry], effective: list[EffectiveEntry]) -> set[int]:
    """Ids of effective entries whose content comes from the new entries."""
    new_ids = {entry.id for entry in new}
    return {e.id for e in effective if e.id in new_ids or new_ids & set(e.corrected_by)}


def _locate(refusal: KelisimError, positions: dict[int, int]) -> None:
    """Say which entry of the request broke the rule, or which recorded entry it would break."""
    entry_id = refusal.details.get("entry")
    if entry_id in positions:
        refusal.details["position"] = positions[entry_id]
        refusal.details.pop("entry")
        refusal.wrap(_IN_REQUEST, position=positions[entry_id])
    elif entry_id is not None:
        refusal.wrap(N_("Recorded entry {entry} would no longer be lawful: {reason}"),
                     entry=entry_id)


def _parse_at(position: int, raw: Any) -> AnyInstrument:
    try:
        return parse_instrument(raw)
    except KelisimError as refusal:
        refusal.wrap(_IN_REQUEST, position=position)
        refusal.details["position"] = position
        raise


def _check_party_known(position: int, item: AnyInstrument, known: dict[str, StateInfo]) -> None:
    if isinstance(item, Instrument) and item.party not in known:
        raise NotFound(Message(_IN_REQUEST, position=position, reason=Message(
            N_("{party} is not a state kelisim knows as a CIS state (past or present)."),
            party=item.party)), position=position, field="party")


def cis_membership(known: dict[str, StateInfo]) -> IsCisState:
    """Whether a state was a CIS state on a date, from the periods the database holds."""
    return lambda code, on: code in known and known[code].period_on(on) is not None


def recorded_entries(uow: UnitOfWork) -> list[RecordedEntry]:
    return [RecordedEntry(body["seq"], parse_instrument(body["entry"]),
                          datetime.fromisoformat(body["recorded_at"]))
            for body in uow.ledger.bodies()]


def list_entries(rt: Runtime, principal: Principal, party: str | None = None) -> list[dict]:
    """The ledger as recorded, with what each correction superseded, for reading."""
    require(principal, Action.READ_LEDGER)
    with rt.unit_of_work() as uow:
        bodies = uow.ledger.bodies()
    superseded_by: dict[int, int] = {}
    for body in bodies:
        if body["entry"]["kind"] == Correction.kind:
            superseded_by[body["entry"]["supersedes"]] = body["seq"]
    return [{"id": body["seq"], "recorded_at": body["recorded_at"], "entry": body["entry"],
             "superseded_by": superseded_by.get(body["seq"])}
            for body in bodies if party is None or body["entry"].get("party") == party]

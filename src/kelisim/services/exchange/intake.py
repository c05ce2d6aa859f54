"""Add Objects (TAXII 2.1 section 5.5): accept an envelope durably, then store it in one batch.

Acceptance (`accept_envelope`) runs in the request: it checks the caller may write to the
collection today, parses the envelope, and refuses the **whole envelope** if any object is
classified as a state secret (Art. 6: such information is not transferred - so not one byte of
it is stored, queued, logged or echoed; the error names only its position). What is accepted is
written with a `pending` status resource in one transaction before the 202 is sent, so a crash
after the 202 loses nothing: the job is processed later by the worker (see worker.py).

The TAXII request itself (`add_objects`) stores the envelope and its `complete` status in one
transaction and only then answers 202: what is acknowledged is committed, and the envelope is
not first written to the queue and read back. The queue serves the web UI's uploads, which
answer before processing, and any envelope whose inline storing failed.

Processing (`process_job`) claims the job inside the transaction that stores its objects, so a
crash mid-way rolls the claim back with everything else. Each object is checked (state-secret
scan and fast STIX 2.1 validator, shared with worker processes: screening.py), then stored by
`batch.Batch`: its Agreement properties and markings derived into indexed columns and the
compiled Art. 6 gates, and all valid objects inserted at once. A failed object leaves nothing
behind; the status resource says object by object what happened and why.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from kelisim.domain import exchange_policy as policy
from kelisim.domain.access import ExchangeAction, require_exchange
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
    TooLarge,
)
from kelisim.domain.taxii import format_timestamp, micros_of
from kelisim.domain.treaty import PartyState
from kelisim.services.exchange import planner_statistics
from kelisim.services.exchange.batch import Batch, detail, names_bodies, notified_bodies
from kelisim.services.exchange.callers import Caller
from kelisim.services.exchange.collections import CollectionView, find_collection, state_today
from kelisim.services.exchange.screening import Verdict, check_here
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_objects import ObjectsRepository
from kelisim.storage.exchange_records import ExchangeRecords

log = logging.getLogger(__name__)
SPEC = "TAXII 2.1 section 5.5"
def accept_envelope(rt: Runtime, principal: Principal, collection_key: str,
                    body: bytes) -> str:
    """Queue an envelope durably and return its status id; refusals store nothing."""
    collection = _writable(rt, principal, collection_key, state_today(rt, principal))
    collection_id, objects, _verdicts = _admit(rt, principal, collection, body)
    return _enqueue(rt, principal, collection_id, objects)


def add_objects(rt: Runtime, principal: Principal, collection_key: str,
                body: bytes) -> dict[str, Any]:
    """`add_objects_as` for an authenticated principal (the CLI, the web UI, the tests)."""
    state = state_today(rt, principal)
    return _add(rt, principal, _writable(rt, principal, collection_key, state), body, state)


def add_objects_as(rt: Runtime, who: Caller, body: bytes) -> dict[str, Any]:
    """Add Objects for a TAXII request whose caller was found with one query (callers.py)."""
    require_exchange(who.principal, ExchangeAction.ADD_OBJECTS, who.state)
    return _add(rt, who.principal, _may_write(who.collection()), body, who.state)


def _add(rt: Runtime, principal: Principal, collection: CollectionView, body: bytes,
         state: PartyState | None) -> dict[str, Any]:
    """Add Objects as the TAXII request does it: the same checks as `accept_envelope`, then the
    objects and their `complete` status stored in ONE transaction, and the status resource
    returned for the 202. Nothing is promised before that commit, so a crash loses nothing
    that was acknowledged - without writing the envelope to the queue first and reading it
    back. Should storing fail unexpectedly, the envelope takes the queued path (which reports
    a poison envelope object by object)."""
    collection_id, objects, verdicts = _admit(rt, principal, collection, body)
    status_id, requested = str(uuid.uuid4()), rt.clock()
    bodies = notified_bodies(rt) if names_bodies(objects) else None
    reach = poster_reach(principal, collection, state)
    try:
        with rt.unit_of_work() as uow:
            batch = Batch(rt, ObjectsRepository(uow.connection), collection_id,
                          principal.party, principal.account_id, bodies, reach)
            successes, failures = batch.store(objects, verdicts)
            row = {"id": status_id, "collection_id": collection_id,
                   "account_id": principal.account_id, "party": principal.party,
                   "request_timestamp": requested, "status": "complete",
                   "total_count": len(objects), "success_count": len(successes),
                   "failure_count": len(failures), "pending_count": 0,
                   "successes": successes, "failures": failures, "pendings": []}
            ExchangeRecords(uow.connection).add_status(**row)
            uow.commit()
        rt.exchange_changed()
    except Exception:
        log.exception("storing an envelope inline failed; it goes through the queue")
        status_id = _enqueue(rt, principal, collection_id, objects)
        process_job(rt, status_id)
        return get_status(rt, principal, status_id)
    planner_statistics.note_stored(rt, batch.inserted)
    return status_resource(row)


def check_writable(rt: Runtime, principal: Principal, collection_key: str) -> None:
    """Refuse at once, as Add Objects would, a caller who may not write to the collection
    today (an import checks this before converting anything)."""
    _writable(rt, principal, collection_key, state_today(rt, principal))


def _writable(rt: Runtime, principal: Principal, collection_key: str,
              state: PartyState | None) -> CollectionView:
    require_exchange(principal, ExchangeAction.ADD_OBJECTS, state)
    return _may_write(find_collection(rt, principal, collection_key))


def _may_write(collection: CollectionView) -> CollectionView:
    if not collection.can_write:
        raise PermissionDenied("This account may not add objects to this collection today "
                               "(Art. 6, 9; TAXII 2.1 section 5.5).", article="Art. 6")
    return collection


def _admit(rt: Runtime, principal: Principal, collection: CollectionView,
           body: bytes) -> tuple[str, list[Any], list[Verdict]]:
    """The envelope's shape, and Art. 6 (state secrets refuse it whole), for a caller who may
    write; the objects are checked here, before any transaction is opened (screening.py)."""
    objects = parse_envelope(body, rt.settings.max_envelope_objects)
    verdicts = rt.screener.check(objects)
    for position, verdict in enumerate(verdicts):
        if verdict.unstorable:
            raise InvalidInput(f"The object at position {position} cannot be stored: "
                               f"{verdict.unstorable}. Nothing of the envelope was stored "
                               f"({SPEC}).", position=position)
    refused = [i for i, verdict in enumerate(verdicts) if verdict.secret]
    if refused:
        positions = ", ".join(str(i) for i in refused[:20])
        raise RuleViolation(
            f"The envelope holds information classified as a state secret (objects at positions "
            f"{positions}: the state-secret marking, or a classification stamp by the rule of "
            f"docs/stix-extensions.md#state-secrets); such information is not transferred "
            f"under the Agreement. Nothing of the envelope was stored.",
            article="Art. 6", positions=refused[:20])
    return collection.id, objects, verdicts


def _enqueue(rt: Runtime, principal: Principal, collection_id: str, objects: list[Any]) -> str:
    status_id = str(uuid.uuid4())
    now = rt.clock()
    pendings = [detail(obj, None) for obj in objects]
    with rt.unit_of_work() as uow:
        records = ExchangeRecords(uow.connection)
        records.add_status(
            id=status_id, collection_id=collection_id, account_id=principal.account_id,
            party=principal.party, request_timestamp=now,
            status="pending" if objects else "complete", total_count=len(objects),
            success_count=0, failure_count=0, pending_count=len(objects), successes=[],
            failures=[], pendings=pendings)
        if objects:
            records.enqueue(status_id, now, orjson.dumps(objects))
        uow.commit()
    return status_id


def parse_envelope(body: bytes, max_objects: int | None = None) -> list[Any]:
    """The `objects` of an envelope (TAXII 2.1 section 3.7); a STIX bundle is taken too, since
    `stix2`'s TAXIICollectionSink posts bundles."""
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidInput(f"The request body is not valid JSON ({error.msg} at position "
                           f"{error.pos}); send a TAXII envelope ({SPEC}).") from None
    if not isinstance(envelope, dict):
        raise InvalidInput(f"The request body must be a JSON object, a TAXII envelope ({SPEC}).")
    objects = envelope.get("objects", [])
    if not isinstance(objects, list):
        raise InvalidInput(f"The envelope's `objects` must be a list ({SPEC}).")
    if max_objects is not None and len(objects) > max_objects:
        raise TooLarge(f"The envelope carries {len(objects)} objects; this server takes at most "
                       f"{max_objects} in one envelope (KELISIM_MAX_ENVELOPE_OBJECTS): post them "
                       f"in several envelopes ({SPEC}). Nothing was stored.")
    return objects  # each object's own limits (json_problem) are a screening verdict


def process_job(rt: Runtime, status_id: str) -> bool:
    """Store the objects of a queued envelope; False if another worker already did."""
    try:
        return _process(rt, status_id)
    except Exception:  # a poison job must not come back forever; nothing of it is stored
        log.exception("exchange job %s failed; its objects are reported as failures", status_id)
        return _fail_all(rt, status_id)


def _process(rt: Runtime, status_id: str) -> bool:
    inserted: list[int] = []
    # Read before the job's transaction (see batch.notified_bodies): the notified bodies, and
    # what the poster may read in the collection today.
    bodies, reach = notified_bodies(rt), _queued_poster_reach(rt, status_id)

    def store(uow: Any, status: dict[str, Any], envelope: bytes) -> tuple[list, list]:
        outcome = Batch(rt, ObjectsRepository(uow.connection), status["collection_id"],
                        status["party"], status["account_id"], bodies, reach)
        objects = orjson.loads(envelope)
        stored = outcome.store(objects, rt.screener.check(objects))
        inserted.append(outcome.inserted)
        return stored

    done = _finish_job(rt, status_id, store)
    if done:
        planner_statistics.note_stored(rt, inserted[0])
    return done


def poster_reach(principal: Principal, collection: CollectionView,
                 state: PartyState | None) -> policy.Scope | None:
    """What the poster may read in the collection today (None: nothing): the intake tells a
    poster only what it may see (Art. 6)."""
    if not collection.can_read:
        return None
    return policy.scope(policy.Reader.of(principal, state))


def _queued_poster_reach(rt: Runtime, status_id: str) -> policy.Scope | None:
    with rt.unit_of_work() as uow:
        status = ExchangeRecords(uow.connection).status(status_id)
        principal = uow.accounts.principal(status["account_id"]) if status else None
    if status is None or principal is None:
        return None
    try:
        return poster_reach(principal, find_collection(rt, principal, status["collection_id"]),
                            state_today(rt, principal))
    except (NotFound, PermissionDenied):
        return None


def _fail_all(rt: Runtime, status_id: str) -> bool:
    def fail(_uow: Any, status: dict[str, Any], _envelope: bytes) -> tuple[list, list]:
        return [], [{**d, "message": "kelisim could not process this object; nothing of it "
                                     "was stored. Post it again."} for d in status["pendings"]]

    return _finish_job(rt, status_id, fail)


def _finish_job(rt: Runtime, status_id: str,
                work: Callable[[Any, dict[str, Any], bytes], tuple[list, list]]) -> bool:
    """Claim a queued job, do `work` and complete its status, in one transaction; False if
    another worker already claimed it."""
    with rt.unit_of_work() as uow:
        records = ExchangeRecords(uow.connection)
        envelope = records.claim(status_id)
        status = records.status(status_id)
        if envelope is None or status is None:
            return False
        successes, failures = work(uow, status, envelope)
        records.finish_status(status_id, status="complete", success_count=len(successes),
                              failure_count=len(failures), pending_count=0,
                              successes=successes, failures=failures, pendings=[])
        uow.commit()
    rt.exchange_changed()
    return True


def store_objects(rt: Runtime, connection: Any, collection_id: str, objects: list[Any], *,
                  party: str | None, account_id: int) -> tuple[list[dict[str, Any]],
                                                               list[dict[str, Any]]]:
    """Store objects kelisim itself publishes, through the same validation and derivation."""
    return Batch(rt, ObjectsRepository(connection), collection_id, party, account_id).store(
        objects, check_here(objects))


def status_resource(row: dict[str, Any]) -> dict[str, Any]:
    """The status resource (TAXII 2.1 section 4.3.1)."""
    moment: datetime = row["request_timestamp"]
    body: dict[str, Any] = {
        "id": row["id"], "status": row["status"],
        "request_timestamp": format_timestamp(micros_of(moment)),
        "total_count": row["total_count"], "success_count": row["success_count"],
        "failure_count": row["failure_count"], "pending_count": row["pending_count"]}
    for key in ("successes", "failures", "pendings"):
        if row[key]:
            body[key] = row[key]
    return body


def get_status(rt: Runtime, principal: Principal, status_id: str) -> dict[str, Any]:
    """A status is seen by the account that posted and by the authorized bodies of its Party
    while the Agreement binds it (not its certification bodies); to anyone else it does not
    exist (it names object ids the poster sent)."""
    with rt.unit_of_work() as uow:
        row = ExchangeRecords(uow.connection).status(status_id)
    if row is None or not (row["account_id"] == principal.account_id or (
            row["party"] is not None and row["party"] == principal.party
            and policy.may_read_statuses(policy.Reader.of(principal,
                                                          state_today(rt, principal))))):
        raise NotFound("No such status resource is visible to this account "
                       "(TAXII 2.1 section 4.3).")
    return status_resource(row)

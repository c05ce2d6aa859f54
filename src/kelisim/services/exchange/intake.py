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
scan and fast STIX 2.1 validator, shared with worker processes: screening.py), its Agreement
properties and markings are derived into indexed columns and the compiled Art. 6 gates, and all
valid objects are inserted with one executemany. A failed object leaves nothing behind; the
status resource says object by object what happened and why.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson

from kelisim.domain import exchange_policy as policy
from kelisim.domain.access import ExchangeAction, require_exchange
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from kelisim.domain.stix.extension import (
    KELISIM_EXTENSION_ID,
    STATE_SECRET_MARKING_ID,
    TLP_MARKING_IDS,
    agreement_properties,
    restricted_access,
    tlp_of,
)
from kelisim.domain.stix.spec import SCO_TYPES
from kelisim.domain.taxii import format_timestamp, micros_of, stix_version, version_key
from kelisim.services import participation
from kelisim.services.exchange import planner_statistics
from kelisim.services.exchange.callers import Caller
from kelisim.services.exchange.collections import CollectionView, find_collection, state_today
from kelisim.services.exchange.screening import Verdict, check_here
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_objects import ObjectsRepository, StoredVersion
from kelisim.storage.exchange_records import ExchangeRecords

log = logging.getLogger(__name__)
SPEC = "TAXII 2.1 section 5.5"
KNOWN_MARKINGS = frozenset(TLP_MARKING_IDS.values()) | {STATE_SECRET_MARKING_ID}


def _known(ref: str) -> bool:
    """TLP (2.0 or 1.0) and kelisim's own markings need no definition to be understood."""
    return ref in KNOWN_MARKINGS or tlp_of({"object_marking_refs": [ref]}) is not None


MAX_MESSAGE = 1000
MARKINGS_ARE_NOT_VERSIONED = (
    "this node already holds another definition under this marking-definition id; marking "
    "definitions are neither versioned nor redefined, since that would change the markings of "
    "every object that names them (STIX 2.1 §7.2.1): post the new marking under an id of its "
    "own")


def accept_envelope(rt: Runtime, principal: Principal, collection_key: str,
                    body: bytes) -> str:
    """Queue an envelope durably and return its status id; refusals store nothing."""
    collection_id, objects, _verdicts = _admit(rt, principal, _writable(rt, principal,
                                                                        collection_key), body)
    return _enqueue(rt, principal, collection_id, objects)


def add_objects(rt: Runtime, principal: Principal, collection_key: str,
                body: bytes) -> dict[str, Any]:
    """`add_objects_as` for an authenticated principal (the CLI, the web UI, the tests)."""
    return _add(rt, principal, _writable(rt, principal, collection_key), body)


def add_objects_as(rt: Runtime, who: Caller, body: bytes) -> dict[str, Any]:
    """Add Objects for a TAXII request whose caller was found with one query (callers.py)."""
    require_exchange(who.principal, ExchangeAction.ADD_OBJECTS, who.state)
    return _add(rt, who.principal, _may_write(who.collection()), body)


def _add(rt: Runtime, principal: Principal, collection: CollectionView,
         body: bytes) -> dict[str, Any]:
    """Add Objects as the TAXII request does it: the same checks as `accept_envelope`, then the
    objects and their `complete` status stored in ONE transaction, and the status resource
    returned for the 202. Nothing is promised before that commit, so a crash loses nothing
    that was acknowledged - without writing the envelope to the queue first and reading it
    back. Should storing fail unexpectedly, the envelope takes the queued path (which reports
    a poison envelope object by object)."""
    collection_id, objects, verdicts = _admit(rt, principal, collection, body)
    status_id, requested = str(uuid.uuid4()), rt.clock()
    bodies = _notified_bodies(rt) if _names_bodies(objects) else None
    try:
        with rt.unit_of_work() as uow:
            batch = _Batch(rt, ObjectsRepository(uow.connection), collection_id,
                           principal.party, principal.account_id, bodies)
            successes, failures = batch.store(objects, verdicts)
            row = {"id": status_id, "collection_id": collection_id,
                   "account_id": principal.account_id, "party": principal.party,
                   "request_timestamp": requested, "status": "complete",
                   "total_count": len(objects), "success_count": len(successes),
                   "failure_count": len(failures), "pending_count": 0,
                   "successes": successes, "failures": failures, "pendings": []}
            ExchangeRecords(uow.connection).add_status(**row)
            uow.commit()
    except Exception:
        log.exception("storing an envelope inline failed; it goes through the queue")
        status_id = _enqueue(rt, principal, collection_id, objects)
        process_job(rt, status_id)
        return get_status(rt, principal, status_id)
    planner_statistics.note_stored(rt, batch.inserted)
    return status_resource(row)


def _writable(rt: Runtime, principal: Principal, collection_key: str) -> CollectionView:
    require_exchange(principal, ExchangeAction.ADD_OBJECTS, state_today(rt, principal))
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
    objects = parse_envelope(body)
    verdicts = rt.screener.check(objects)
    refused = [i for i, verdict in enumerate(verdicts) if verdict.secret]
    if refused:
        positions = ", ".join(str(i) for i in refused[:20])
        raise RuleViolation(
            f"The envelope holds information classified as a state secret (objects at positions "
            f"{positions}); such information is not transferred under the Agreement. Nothing "
            f"of the envelope was stored.", article="Art. 6", positions=refused[:20])
    return collection.id, objects, verdicts


def _enqueue(rt: Runtime, principal: Principal, collection_id: str, objects: list[Any]) -> str:
    status_id = str(uuid.uuid4())
    now = rt.clock()
    pendings = [_detail(obj, None) for obj in objects]
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


def parse_envelope(body: bytes) -> list[Any]:
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
    return objects


def process_job(rt: Runtime, status_id: str) -> bool:
    """Store the objects of a queued envelope; False if another worker already did."""
    try:
        return _process(rt, status_id)
    except Exception:  # a poison job must not come back forever; nothing of it is stored
        log.exception("exchange job %s failed; its objects are reported as failures", status_id)
        return _fail_all(rt, status_id)


def _process(rt: Runtime, status_id: str) -> bool:
    inserted: list[int] = []
    bodies = _notified_bodies(rt)  # before the job's transaction: see _notified_bodies

    def store(uow: Any, status: dict[str, Any], envelope: bytes) -> tuple[list, list]:
        outcome = _Batch(rt, ObjectsRepository(uow.connection), status["collection_id"],
                         status["party"], status["account_id"], bodies)
        objects = orjson.loads(envelope)
        stored = outcome.store(objects, rt.screener.check(objects))
        inserted.append(outcome.inserted)
        return stored

    done = _finish_job(rt, status_id, store)
    if done:
        planner_statistics.note_stored(rt, inserted[0])
    return done


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
    return True


def store_objects(rt: Runtime, connection: Any, collection_id: str, objects: list[Any], *,
                  party: str | None, account_id: int) -> tuple[list[dict[str, Any]],
                                                               list[dict[str, Any]]]:
    """Store objects kelisim itself publishes, through the same validation and derivation."""
    return _Batch(rt, ObjectsRepository(connection), collection_id, party, account_id).store(
        objects, check_here(objects))


class _Batch:
    """One envelope's objects turned into rows (derived columns, gates) and stored at once."""

    def __init__(self, rt: Runtime, repo: ObjectsRepository, collection_id: str,
                 party: str | None, account_id: int,
                 bodies: dict[str, frozenset[str]] | None = None) -> None:
        self.rt, self.repo, self.collection_id = rt, repo, collection_id
        self.party, self.account_id = party, account_id
        self.inserted = 0
        self._bodies = bodies

    def store(self, objects: list[Any], verdicts: list[Verdict]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Store the objects whose verdicts (`screening.py`) name no STIX problem."""
        successes: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        last = self.repo.lock_collection(self.collection_id)
        valid = [(obj, verdict.errors) for obj, verdict in zip(objects, verdicts, strict=True)]
        ids = [obj["id"] for obj, errors in valid if not errors]
        stored = self.repo.stored_versions(self.collection_id, ids)
        held_by_id: dict[str, list[StoredVersion]] = {}  # other Parties' versions, from the store
        own_ids: set[str] = set()  # ids this Party holds a version of (stored or in this batch)
        for (stix_id, _version), held in stored.items():
            if held.producer_party == self.party:
                own_ids.add(stix_id)
            else:
                held_by_id.setdefault(stix_id, []).append(held)
        before = _latest_versions(stored)
        own = StoredVersion(self.party, policy.Gates(None, None, False))  # this batch's rows
        markings, refused = self._marking_definitions(
            [obj for obj, errors in valid if not errors])
        rows: list[dict[str, Any]] = []
        added = max(micros_of(self.rt.clock()), last + 1)
        for obj, errors in valid:
            if errors:
                failures.append(_detail(obj, "; ".join(errors)))
                continue
            version, problem = _version_of(obj)
            problem = problem or refused.get(id(obj)) or self._not_a_version_to_store(
                obj, version, stored, held_by_id.get(obj["id"], ()))
            if problem:
                failures.append(_detail(obj, problem))
                continue
            if (obj["id"], version) in stored or (version is None and obj["id"] in own_ids):
                successes.append({**_detail(obj, None), "message": "already stored"})
                continue
            row, problem = self._row(obj, version, added, markings)
            if problem:
                failures.append(_detail(obj, problem))
                continue
            rows.append(row)
            stored[(obj["id"], row["version"])] = own
            own_ids.add(obj["id"])
            successes.append({"id": obj["id"], "version": stix_version(row["version"])})
            added += 1
        self._mark_superseded(rows, before, _latest_versions(stored))
        self.repo.insert_many(rows)
        self.inserted = len(rows)
        if rows:
            self.repo.set_last_added(self.collection_id, added - 1)
        return successes, failures

    def _not_a_version_to_store(self, obj: dict[str, Any], version: str | None,
                                stored: dict[tuple[str, str], StoredVersion],
                                held: Sequence[StoredVersion]) -> str | None:
        """Why a new version may not be stored, given the versions other Parties hold (`held`):
        an object is versioned by the Party that created it (STIX 2.1 §3.6) - another Party's
        "new version" would replace the creator's object for every reader. Decided on the
        versions the poster may see only, so a refusal never tells it of an object it cannot
        see (Art. 6): a version posted blind is stored as the poster's own. SCOs have no
        versions (version None): each Party keeps its own copy."""
        if version is None or not held or (obj["id"], version) in stored:
            return None
        reach = policy.Scope(policy.ScopeKind.BODY, self.party) if self.party else None
        for version_held in held:
            if reach and policy.compiled_visible(version_held.gates, reach):
                return ("another Party created this object, and only its creator makes new "
                        "versions of it (STIX 2.1 §3.6): post an object of your own and "
                        "relate it")
        return None

    def _mark_superseded(self, rows: list[dict[str, Any]], before: dict[str, str],
                         latest: dict[str, str]) -> None:
        """Each new row says whether a later version of its object is stored (after this
        batch); stored versions that this batch supersedes are marked so (a bulk post of new
        objects touches no stored row)."""
        for row in rows:
            row["superseded"] = row["version"] < latest[row["stix_id"]]
        self.repo.mark_superseded(self.collection_id, [
            (stix_id, latest[stix_id]) for stix_id in {row["stix_id"] for row in rows}
            if stix_id in before and latest[stix_id] > before[stix_id]])

    def _marking_definitions(self, checked: list[dict[str, Any]]
                             ) -> tuple[dict[str, dict[str, Any]], dict[int, str]]:
        """The definitions of the markings the checked objects name, and why posted marking
        definitions are refused (keyed by `id()` of the posted object).

        A marking id means one definition on the node (STIX 2.1 §7.2.1: they are not
        versioned): the first one stored, in any collection, holds. A posted definition that
        differs from it, or from an earlier one in the envelope, is refused, and so is a
        restricted-access marking posted by a Party other than its owner (Art. 2, 6). Refused
        definitions define nothing, so a broken, squatting or widened copy can never lift the
        restriction the owner's definition imposes."""
        wanted = {ref for o in checked for ref in _marking_refs(o) if not _known(ref)}
        posted = [o for o in checked if o.get("type") == "marking-definition"]
        found = self.repo.marking_definitions(wanted | {o["id"] for o in posted})
        refused: dict[int, str] = {}
        for obj in posted:
            problem = self._marking_problem(obj, found.get(obj["id"]))
            if problem:
                refused[id(obj)] = problem
            else:
                found.setdefault(obj["id"], obj)
        return found, refused

    def _marking_problem(self, obj: dict[str, Any], holding: dict[str, Any] | None) -> str | None:
        if holding is not None and holding != obj:
            return MARKINGS_ARE_NOT_VERSIONED
        try:
            own = restricted_access(obj)
        except InvalidInput as error:
            return error.reason
        if own is not None and own.owner_party != self.party:
            return (f"a restricted-access marking defines information of its owner Party "
                    f"({own.owner_party}); only that Party's bodies may post it (Art. 2, 6)")
        return None

    def _recipient_bodies(self, names: frozenset[str]) -> tuple[frozenset[str], str | None]:
        """Recipient bodies named in the kelisim extension, each as the body of the Party that
        notified it to the depositary (`RUS/RU-CERT`, Art. 8). A name may be given so, or
        bare when exactly one Party notified a body of that name; a bare name several Parties
        notified, or a name no Party notified, is refused rather than matched against whatever
        accounts are called so (Art. 6)."""
        if not names:
            return frozenset(), None
        if self._bodies is None:  # kelisim's own publications name none; no second connection
            self._bodies = _notified_bodies(self.rt)
        found: set[str] = set()
        for name in sorted(names):
            party, _, body = name.partition("/")
            if body and body in self._bodies.get(party, ()):
                found.add(policy.qualified_body(party, body))
                continue
            parties = sorted(p for p, bodies in self._bodies.items() if name in bodies)
            if len(parties) == 1:
                found.add(policy.qualified_body(parties[0], name))
                continue
            if parties:
                return frozenset(), (
                    f"recipients.bodies names {name[:80]!r}, a body name notified by "
                    f"{', '.join(parties)}: say whose, e.g. {parties[0]}/{name[:80]} (Art. 6)")
            return frozenset(), (f"recipients.bodies names {name[:80]!r}, which no Party has "
                                 "notified to the depositary as its authorized body; name a "
                                 "notified body, or the Party (Art. 6, 8)")
        return frozenset(found), None

    def _row(self, obj: dict[str, Any], version: str | None, added: int,
             markings: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
        try:
            return self._derive(obj, version, added, markings)
        except InvalidInput as error:
            article = f" ({error.article})" if error.article else ""
            return {}, error.reason + article

    def _derive(self, obj: dict[str, Any], version: str | None, added: int,
                markings: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
        # A restricted-access marking-definition is itself restricted information: who owns
        # it, under which law and who may read are for the owner and the Parties allowed only.
        own = restricted_access(obj) if obj.get("type") == "marking-definition" else None
        restricted = [own] if own is not None else []
        refs = _marking_refs(obj)
        for ref in refs:
            if _known(ref):
                continue
            definition = markings.get(ref)
            if definition is None:
                return {}, (f"object_marking_refs names {ref}, a marking-definition this "
                            "collection does not hold; post it first or in the same envelope "
                            "(Art. 6: kelisim does not pass on a restriction it cannot read)")
            access = restricted_access(definition)
            if access is not None:
                restricted.append(access)
        if len(restricted) > 1:
            return {}, "more than one restricted-access marking; give exactly one (Art. 6)"
        agreement = agreement_properties(obj)
        access = restricted[0] if restricted else None
        tlp = tlp_of({"object_marking_refs": refs})  # granular markings count too: fail closed
        bodies, problem = self._recipient_bodies(agreement.recipients_bodies if agreement
                                                 else frozenset())
        if problem:
            return {}, problem
        marking = policy.Marking(
            tlp=tlp,
            recipient_parties=agreement.recipients_parties if agreement else frozenset(),
            recipient_bodies=bodies,
            restricted_owner=access.owner_party if access else None,
            restricted_allowed=frozenset(access.allowed_parties) if access else frozenset(),
            producer_party=self.party)
        gates = policy.gates(marking)
        directions = agreement.directions if agreement else ()
        return {
            "collection_id": self.collection_id, "date_added": added, "stix_id": obj["id"],
            "type": obj["type"], "spec_version": obj.get("spec_version", "2.1"),
            "version": version or format_timestamp(added), "producer_party": self.party,
            "producer_account": self.account_id or None, "tlp": tlp,
            "restricted_owner": marking.restricted_owner, "tlp_gate": gates.tlp,
            "restricted_gate": gates.restricted, "open_access": gates.open,
            "threat_class": agreement.threat_class if agreement else None,
            "directions": ("|" + "|".join(str(d) for d in directions) + "|") if directions
            else None,
            "raw": orjson.dumps(obj), "superseded": False,  # settled by _mark_superseded
        }, None


def _notified_bodies(rt: Runtime) -> dict[str, frozenset[str]]:
    """Each Party's notified authorized bodies today, read before the batch's transaction: it
    takes a connection of its own, and a batch that waited for a second connection while
    holding its collection's lock could starve the pool under load."""
    return participation.authorized_bodies_on(rt, rt.clock().date())


def _names_bodies(objects: list[Any]) -> bool:
    """Whether any object names recipient bodies in the kelisim extension (cheap: no parse)."""
    for obj in objects:
        extensions = obj.get("extensions") if isinstance(obj, dict) else None
        ext = extensions.get(KELISIM_EXTENSION_ID) if isinstance(extensions, dict) else None
        recipients = ext.get("recipients") if isinstance(ext, dict) else None
        if isinstance(recipients, dict) and recipients.get("bodies"):
            return True
    return False


def _version_of(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    """The version key of a checked object - its `modified`, else its `created` - or None for an
    SCO (no versions: its id derives from its value, and each Party keeps its own copy,
    versioned by its date_added); or why it has none. The STIX checks vouch for these
    properties on SDOs, SROs and meta objects; on an SCO they are custom properties, checked
    here as timestamps but never used as its version, so that an SCO is handled alike
    whatever custom properties it carries."""
    name = "modified" if "modified" in obj else "created" if "created" in obj else None
    stamp = obj.get(name) if name else None
    if not isinstance(stamp, str):
        return None, None
    try:
        key = version_key(stamp)
    except ValueError:
        return None, (f"{name}: {stamp[:40]!r} is not a STIX timestamp, and kelisim versions "
                      "the object by it (STIX 2.1 section 3.2; TAXII 2.1 section 5.8)")
    return (None if obj.get("type") in SCO_TYPES else key), None


def _latest_versions(versions: Iterable[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for stix_id, version in versions:
        if version > latest.get(stix_id, ""):
            latest[stix_id] = version
    return latest


def _marking_refs(obj: dict[str, Any]) -> list[str]:
    refs = [r for r in obj.get("object_marking_refs") or [] if isinstance(r, str)]
    for granular in obj.get("granular_markings") or []:
        if isinstance(granular, dict) and isinstance(granular.get("marking_ref"), str):
            refs.append(granular["marking_ref"])
    return refs


def _detail(obj: Any, message: str | None) -> dict[str, Any]:
    """A status-details entry (TAXII 2.1 section 4.3.1): id, version, message."""
    is_dict = isinstance(obj, dict)
    stix_id = obj.get("id") if is_dict else None
    stamp = (obj.get("modified") or obj.get("created")) if is_dict else None
    detail: dict[str, Any] = {
        "id": stix_id if isinstance(stix_id, str) else "(no id)",
        "version": stamp if isinstance(stamp, str) else "(no version)"}
    if message:
        detail["message"] = message[:MAX_MESSAGE]
    return detail


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

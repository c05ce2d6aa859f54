"""One envelope's objects, checked, turned into rows and stored at once (TAXII 2.1 section 5.5).

Why a module of its own: what a post may store decides Art. 6 - which marking definition holds,
which Party's body a recipient is, who may version an object, what a poster is told about
objects it cannot see - and the intake around it (accepting, queueing, status resources) is
transport. `Batch.store` runs inside the caller's transaction, under the collection's lock.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from kelisim.domain import exchange_policy as policy
from kelisim.domain.errors import InvalidInput
from kelisim.domain.stix.extension import (
    KELISIM_EXTENSION_ID,
    STATE_SECRET_MARKING_ID,
    TLP_MARKING_IDS,
    agreement_properties,
    restricted_access,
    tlp_of,
)
from kelisim.domain.stix.observables import Observable, observables
from kelisim.domain.stix.spec import SCO_TYPES
from kelisim.domain.stix.warning_lists import warnings_for
from kelisim.domain.taxii import format_timestamp, micros_of, stix_version, version_key
from kelisim.services import participation
from kelisim.services.exchange.screening import Verdict
from kelisim.services.runtime import Runtime
from kelisim.storage.analyst_indexes import index_versions
from kelisim.storage.exchange_objects import ObjectsRepository

_STAMP_OFFSETS = random.SystemRandom()
"""Draws each audience's date_added offset: a reader must not be able to predict it."""
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


def warning_message(obj: dict[str, Any],
                    values: Sequence[Observable] | None = None) -> dict[str, str]:
    """A stored object's warning-list matches (issue 16, item 5) as the `message` of its
    success entry: a status-details `message` is free text (TAXII 2.1 §4.3.1), so a client
    that does not read it loses nothing, and the object is stored all the same. `values`: the
    object's `observables`, when the caller has them already."""
    found = warnings_for(observables(obj) if values is None else values)
    if not found:
        return {}
    text = "stored; warning lists: " + "; ".join(
        f"{w.value} is on '{w.list_name}'" for w in found)
    return {"message": text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"}


class Batch:
    """One envelope's objects turned into rows (derived columns, gates) and stored at once."""

    def __init__(self, rt: Runtime, repo: ObjectsRepository, collection_id: str,
                 party: str | None, account_id: int,
                 bodies: dict[str, frozenset[str]] | None = None,
                 reach: policy.Scope | None = None) -> None:
        """`reach`: what the poster may read in this collection today (None: nothing, as for a
        collection it may write but not read); `bodies`: the notified authorized bodies."""
        self.rt, self.repo, self.collection_id = rt, repo, collection_id
        self.party, self.account_id = party, account_id
        self.inserted = 0
        self._bodies = bodies
        self._reach = reach

    def store(self, objects: list[Any], verdicts: list[Verdict]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Store the objects whose verdicts (`screening.py`) name no STIX problem."""
        successes: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        last = self.repo.lock_collection(self.collection_id)
        valid = [(obj, verdict.errors) for obj, verdict in zip(objects, verdicts, strict=True)]
        ids = [obj["id"] for obj, errors in valid if not errors]
        stored = self.repo.stored_versions(self.collection_id, ids)
        # What the poster's Party holds (stored, then this batch too), and what of the other
        # Parties' versions the poster may see: a post is answered from these alone, so that
        # it never tells the poster of a version it cannot see (Art. 6). Each Party's versions
        # of an id are a chain of their own (STIX 2.1 section 3.6; the storage key includes
        # the producer), so an unseen version of another Party neither collides nor answers.
        own_versions: set[tuple[str, str]] = set()
        own_ids: set[str] = set()
        seen_versions: set[tuple[str, str]] = set()  # other Parties' versions the poster sees
        seen_ids: set[str] = set()
        reach = self._reach
        for (held_id, producer, held_version), held in stored.items():
            if producer == self.party:
                own_versions.add((held_id, held_version))
                own_ids.add(held_id)
            elif reach is not None and policy.compiled_visible(held.gates, reach):
                seen_versions.add((held_id, held_version))
                seen_ids.add(held_id)
        before = _latest_versions(own_versions)
        markings, refused = self._marking_definitions(
            [obj for obj, errors in valid if not errors])
        rows: list[dict[str, Any]] = []
        observed: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (row, its object)
        values: list[list[Observable]] = []  # each observed object's values, read once
        stamped_later: list[dict[str, Any]] = []  # each new row's success entry
        for obj, errors in valid:
            if errors:
                failures.append(detail(obj, "; ".join(errors)))
                continue
            stix_id = obj["id"]
            version, problem = _version_of(obj)
            if version is not None:
                known = (stix_id, version) in own_versions or (stix_id, version) in seen_versions
            else:  # an SCO is a per-Party copy; an untimestamped custom object one per reader
                known = stix_id in own_ids or (obj["type"] not in SCO_TYPES
                                               and stix_id in seen_ids)
            problem = problem or refused.get(id(obj)) or (None if known else _creator_only(
                version, stix_id in seen_ids, stix_id in own_ids))
            if problem:
                failures.append(detail(obj, problem))
                continue
            if known:
                successes.append({**detail(obj, None), "message": "already stored"})
                continue
            row, problem = self._row(obj, version, markings)
            if problem:
                failures.append(detail(obj, problem))
                continue
            rows.append(row)
            observed.append((row, obj))
            values.append(observables(obj))
            if version is not None:  # an SCO's version is its date_added, given out below
                own_versions.add((stix_id, version))
            own_ids.add(stix_id)
            stamped_later.append({"id": stix_id, **warning_message(obj, values[-1])})
            successes.append(stamped_later[-1])
        self._stamp(rows, stamped_later, max(micros_of(self.rt.clock()), last + 1))
        # Every new row, the versions _stamp just gave (SCOs, untimestamped custom objects)
        # among them: what `_mark_superseded` compares with.
        own_versions.update((row["stix_id"], row["version"]) for row in rows)
        self._mark_superseded(rows, before, _latest_versions(own_versions))
        rows.sort(key=lambda row: row["date_added"])  # the (collection, date_added) key grows
        self.repo.insert_many(rows)
        # The analyst indexes, in the same transaction (issue 16, items 1, 2, 3 and 10).
        index_versions(self.repo.connection, observed, values)
        self.inserted = len(rows)
        if rows:
            self.repo.set_last_added(self.collection_id, rows[-1]["date_added"])
        return successes, failures

    def _stamp(self, rows: list[dict[str, Any]], entries: list[dict[str, Any]],
               start: int) -> None:
        """Give the new rows their date_added (an SCO its version too, see `_version_of`), by
        audience, so that no reader can count from them what it may not see
        (`policy.stamps_by_audience`), and complete their success entries."""
        audiences = [(r["tlp_gate"], r["restricted_gate"], r["open_access"]) for r in rows]
        for row, entry, stamp in zip(rows, entries, policy.stamps_by_audience(
                audiences, start, _STAMP_OFFSETS), strict=True):
            row["date_added"] = stamp
            if row["version"] is None:
                row["version"] = format_timestamp(stamp)
            entry["version"] = stix_version(row["version"])

    def _mark_superseded(self, rows: list[dict[str, Any]], before: dict[str, str],
                         latest: dict[str, str]) -> None:
        """Each new row says whether a later version of its object by the same Party is stored
        (after this batch); the Party's stored versions that this batch supersedes are marked
        so (a bulk post of new objects touches no stored row)."""
        for row in rows:
            row["superseded"] = row["version"] < latest[row["stix_id"]]
        self.repo.mark_superseded(self.collection_id, self.party, [
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
        posted_ids = {o["id"] for o in posted}
        found = self.repo.marking_definitions(wanted | posted_ids)
        deleted = self.repo.deleted_by_producer(posted_ids - found.keys())
        refused: dict[int, str] = {}
        for obj in posted:
            problem = self._marking_problem(obj, found.get(obj["id"]), deleted.get(obj["id"]))
            if problem is None:  # and it would be stored: nothing it fails on may define
                version, problem = _version_of(obj)
                problem = problem or self._derive(obj, version, found)[1]
            if problem:
                refused[id(obj)] = problem
            else:
                found.setdefault(obj["id"], obj)
        return found, refused

    def _marking_problem(self, obj: dict[str, Any], holding: dict[str, Any] | None,
                         deleted_by: frozenset[str | None] | None) -> str | None:
        if holding is not None and holding != obj:
            return MARKINGS_ARE_NOT_VERSIONED
        if holding is None and deleted_by and self.party not in deleted_by:
            # A deleted marking's id stays its producer's: anyone else could otherwise
            # redefine it and strip the restriction from what its owner posts next.
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
            self._bodies = notified_bodies(self.rt)
        found: set[str] = set()
        for name in sorted(names):
            party, _, body = name.partition("/")
            if body:  # PARTY/NAME, and only that: "RUS/X" never means a body named so elsewhere
                if body in self._bodies.get(party, ()):
                    found.add(policy.qualified_body(party, body))
                    continue
                return frozenset(), (f"recipients.bodies names {name[:80]!r}, but {party[:8]} "
                                     f"has notified no authorized body called {body[:80]!r} "
                                     "to the depositary (Art. 6, 8)")
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

    def _row(self, obj: dict[str, Any], version: str | None,
             markings: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
        try:
            return self._derive(obj, version, markings)
        except InvalidInput as error:
            article = f" ({error.article})" if error.article else ""
            return {}, error.reason + article

    def _derive(self, obj: dict[str, Any], version: str | None,
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
            # date_added (and an SCO's version) are given out by _stamp, once the batch is known
            "collection_id": self.collection_id, "date_added": None, "stix_id": obj["id"],
            "type": obj["type"], "spec_version": obj.get("spec_version", "2.1"),
            "version": version, "producer_party": self.party,
            "producer_account": self.account_id or None, "tlp": tlp,
            "restricted_owner": marking.restricted_owner, "tlp_gate": gates.tlp,
            "restricted_gate": gates.restricted, "open_access": gates.open,
            "threat_class": agreement.threat_class if agreement else None,
            "directions": ("|" + "|".join(str(d) for d in directions) + "|") if directions
            else None,
            "raw": orjson.dumps(obj), "superseded": False,  # settled by _mark_superseded
        }, None


def notified_bodies(rt: Runtime) -> dict[str, frozenset[str]]:
    """Each Party's notified authorized bodies today, read before the batch's transaction: it
    takes a connection of its own, and a batch that waited for a second connection while
    holding its collection's lock could starve the pool under load."""
    return participation.authorized_bodies_on(rt, rt.clock().date())


def names_bodies(objects: list[Any]) -> bool:
    """Whether any object names recipient bodies in the kelisim extension (cheap: no parse)."""
    for obj in objects:
        extensions = obj.get("extensions") if isinstance(obj, dict) else None
        ext = extensions.get(KELISIM_EXTENSION_ID) if isinstance(extensions, dict) else None
        recipients = ext.get("recipients") if isinstance(ext, dict) else None
        if isinstance(recipients, dict) and recipients.get("bodies"):
            return True
    return False


def _creator_only(version: str | None, sees_another: bool, holds_one: bool) -> str | None:
    """Why a new version may not be stored: an object is versioned by the Party that created
    it (STIX 2.1 section 3.6), so a Party that sees another Party's version of it and holds
    none of its own is refused - its "new version" would read as the creator's. A Party that
    holds a version may always add one (the creator is never locked out). Judged on the
    versions the poster may see only, so a refusal never tells it of an object it cannot see
    (Art. 6): a version posted blind starts the poster's own chain, which readers who see both
    get beside the creator's (decision 0005). SCOs have no versions: each Party keeps a copy."""
    if version is None or holds_one or not sees_another:
        return None
    return ("another Party created this object, and only its creator makes new versions of it "
            "(STIX 2.1 §3.6): post an object of your own and relate it")


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


def detail(obj: Any, message: str | None) -> dict[str, Any]:
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

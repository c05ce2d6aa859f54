"""The references index: writing it with the objects, and reader-filtered lookups in it.

One row per `*_ref`/`*_refs` value of each stored object version (`domain.stix.references`),
with the version's Art. 6 gates copied (as the correlation index does) so that every lookup is
filtered by the reader's compiled scope (`exchange_objects.visibility`) and limited to the
collections the reader may read: an object the reader may not read is never listed, counted or
followed (issue 16, items 2 and 10). A sighting's facts (first and last seen, count, MISP type)
are kept on its `sighting_of_ref` row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, func, select, tuple_

from kelisim.domain.errors import InvalidInput
from kelisim.domain.exchange_policy import Scope
from kelisim.domain.sightings import SightingFacts, facts_of
from kelisim.domain.stix.references import references
from kelisim.domain.taxii import version_key
from kelisim.storage.bulk_insert import BulkInsert
from kelisim.storage.exchange_objects import visibility
from kelisim.storage.observables_index import Keyed
from kelisim.storage.schema import exchange_objects, exchange_references

R = exchange_references
T = exchange_objects
_INSERT = BulkInsert(R)
CHUNK = 500
SIGHTING_OF = "sighting_of_ref"


class Referring(NamedTuple):
    """One object version that names the object looked at: where, which, and by what."""

    collection_id: str
    stix_id: str
    type: str
    version: str
    producer_party: str | None
    restricted_owner: str | None
    property: str


class SightingRow(NamedTuple):
    collection_id: str
    stix_id: str
    version: str
    producer_party: str | None
    restricted_owner: str | None
    first_seen: str | None
    last_seen: str | None
    times: int | None
    sighting_type: str | None


class Held(NamedTuple):
    """An object the reader may read, by its latest visible version (in one collection)."""

    collection_id: str
    stix_id: str
    type: str
    version: str
    producer_party: str | None
    restricted_owner: str | None


def reference_rows(row: dict[str, Any], obj: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The index rows of one stored object version (the row as `Batch` builds it)."""
    found = references(obj)
    if not found:
        return []
    facts = _facts(obj) if obj.get("type") == "sighting" else None
    out = []
    for reference in found:
        on_it = facts if facts is not None and reference.property == SIGHTING_OF else None
        values = {"collection_id": row["collection_id"], "date_added": row["date_added"],
                  "property": reference.property, "ref": reference.ref,
                  "stix_id": row["stix_id"], "type": row["type"], "version": row["version"],
                  "producer_party": row["producer_party"],
                  "restricted_owner": row["restricted_owner"], "tlp_gate": row["tlp_gate"],
                  "restricted_gate": row["restricted_gate"], "open_access": row["open_access"],
                  "first_seen": on_it.first_seen if on_it else None,
                  "last_seen": on_it.last_seen if on_it else None,
                  "count": on_it.count if on_it else None,
                  "sighting_type": on_it.sighting_type if on_it else None}
        out.append(tuple(values[name] for name in _INSERT.columns))
    return out


def _facts(obj: dict[str, Any]) -> SightingFacts:
    try:
        return facts_of(obj, version_key)
    except (InvalidInput, ValueError):  # stored before kelisim checked them: the plain kind
        return SightingFacts(None, None, None, "sighting")


def insert_references(connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    _INSERT(connection, rows)


def delete_references(connection: Connection, collection_id: str,
                      stamps: Sequence[int]) -> None:
    """The index rows of these stored versions (by date_added) go with them."""
    for start in range(0, len(stamps), CHUNK):
        connection.execute(delete(R).where(R.c.collection_id == collection_id,
                                           R.c.date_added.in_(stamps[start:start + CHUNK])))


def sightings_of(connection: Connection, collections: Sequence[str], reach: Scope,
                 stix_id: str, limit: int) -> list[SightingRow]:
    """Up to `limit` + 1 visible sighting versions whose `sighting_of_ref` is the object."""
    if not collections:
        return []
    statement = (select(R.c.collection_id, R.c.stix_id, R.c.version, R.c.producer_party,
                        R.c.restricted_owner, R.c.first_seen, R.c.last_seen, R.c.count,
                        R.c.sighting_type)
                 .where(R.c.ref == stix_id, R.c.property == SIGHTING_OF,
                        R.c.type == "sighting", R.c.collection_id.in_(collections),
                        visibility(R, reach))
                 .order_by(R.c.collection_id, R.c.stix_id, R.c.version).limit(limit + 1))
    return [SightingRow._make(r) for r in connection.execute(statement)]


def referring(connection: Connection, collections: Sequence[str], reach: Scope,
              stix_id: str, limit: int) -> list[Referring]:
    """Up to `limit` + 1 visible versions of other objects that name the object."""
    if not collections:
        return []
    statement = (select(R.c.collection_id, R.c.stix_id, R.c.type, R.c.version,
                        R.c.producer_party, R.c.restricted_owner, R.c.property)
                 .where(R.c.ref == stix_id, R.c.collection_id.in_(collections),
                        R.c.stix_id != stix_id, visibility(R, reach))
                 .order_by(R.c.collection_id, R.c.stix_id, R.c.property).limit(limit + 1))
    return [Referring._make(r) for r in connection.execute(statement)]


def referred(connection: Connection, collection_id: str, reach: Scope,
             stix_id: str) -> list[tuple[str | None, str, str, str]]:
    """(producer, version, property, ref) of the visible versions of one object."""
    statement = (select(R.c.producer_party, R.c.version, R.c.property, R.c.ref)
                 .where(R.c.collection_id == collection_id, R.c.stix_id == stix_id,
                        visibility(R, reach)).order_by(R.c.property, R.c.ref))
    return [(r[0], r[1], r[2], r[3]) for r in connection.execute(statement)]


def latest_visible(connection: Connection, collections: Sequence[str], reach: Scope,
                   stix_ids: Iterable[str]) -> dict[tuple[str, str, str | None], str]:
    """(collection, id, producer) -> the latest version the reader may read, of these ids."""
    ids = sorted(set(stix_ids))
    found: dict[tuple[str, str, str | None], str] = {}
    if not collections:
        return found
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(
            select(T.c.collection_id, T.c.stix_id, T.c.producer_party, func.max(T.c.version))
            .where(T.c.collection_id.in_(collections), T.c.stix_id.in_(ids[start:start + CHUNK]),
                   visibility(T, reach))
            .group_by(T.c.collection_id, T.c.stix_id, T.c.producer_party))
        found.update({(r[0], r[1], r[2]): r[3] for r in rows})
    return found


def held(connection: Connection, collections: Sequence[str], reach: Scope,
         stix_ids: Iterable[str]) -> list[Held]:
    """The objects of these ids the reader may read, one per (collection, id)."""
    ids = sorted(set(stix_ids))
    found: list[Held] = []
    if not collections:
        return found
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(
            select(T.c.collection_id, T.c.stix_id, func.max(T.c.type), func.max(T.c.version),
                   func.max(T.c.producer_party), func.max(T.c.restricted_owner))
            .where(T.c.collection_id.in_(collections), T.c.stix_id.in_(ids[start:start + CHUNK]),
                   visibility(T, reach))
            .group_by(T.c.collection_id, T.c.stix_id)
            .order_by(T.c.collection_id, T.c.stix_id))
        found += [Held._make(r) for r in rows]
    return found



def referred_many(connection: Connection, reach: Scope, versions: Sequence[Keyed]
                  ) -> list[tuple[str, str, str, str]]:
    """(collection, id, property, ref) of these visible object versions."""
    keys = sorted({(v.collection_id, v.stix_id, v.version) for v in versions})
    found: list[tuple[str, str, str, str]] = []
    for start in range(0, len(keys), CHUNK):
        rows = connection.execute(
            select(R.c.collection_id, R.c.stix_id, R.c.property, R.c.ref)
            .where(tuple_(R.c.collection_id, R.c.stix_id, R.c.version)
                   .in_(keys[start:start + CHUNK]), visibility(R, reach))
            .order_by(R.c.collection_id, R.c.stix_id, R.c.property, R.c.ref))
        found += [(r[0], r[1], r[2], r[3]) for r in rows]
    return found

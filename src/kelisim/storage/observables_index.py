"""The correlation index: writing it with the objects, and reader-filtered lookups in it.

Every lookup carries the reader's compiled Art. 6 scope (`exchange_objects.visibility`, on the
gates copied into each index row) and the collections the reader may read, so an object the
reader may not read is never listed, counted or used to match (issue 16, item 1). Pages are
keyset ranges on (collection_id, stix_id); there is no OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    func,
    or_,
    select,
    tuple_,
)

from kelisim.domain.exchange_policy import Scope
from kelisim.domain.stix.observables import Observable, supernets, terms
from kelisim.storage.bulk_insert import BulkInsert
from kelisim.storage.exchange_objects import visibility
from kelisim.storage.schema import exchange_objects, exchange_observables

O = exchange_observables  # noqa: E741
_INSERT = BulkInsert(O)
COLUMNS = _INSERT.columns
CHUNK = 500
ATTACK_KIND = "mitre-attack"
"""The kind of the rows naming an ATT&CK technique an object refers to (issue 16, item 4):
browsed by technique, never a value "where else" or an export uses."""


class Match(NamedTuple):
    """How a value is looked for: exactly; an IP range overlapping (CIDR blocks nest or are
    disjoint, so: the ranges inside [low, high] and the `wider` ranges containing it); or a
    registered domain."""

    kind: str | None
    value: str | None = None
    low: str | None = None
    high: str | None = None
    registered: str | None = None
    wider: tuple[tuple[str, str], ...] = ()


class Found(NamedTuple):
    """One object a lookup names: where, which, and the value that matched it."""

    collection_id: str
    stix_id: str
    type: str
    version: str
    producer_party: str | None
    restricted_owner: str | None
    kind: str
    value: str


def index_row(row: dict[str, Any], observable: Observable) -> tuple[Any, ...]:
    """An index row for one observable of a stored object row (the row as `Batch` builds it)."""
    registered, low, high = terms(observable.kind, observable.value)
    values = {"collection_id": row["collection_id"], "date_added": row["date_added"],
              "kind": observable.kind, "value": observable.value, "stix_id": row["stix_id"],
              "type": row["type"], "version": row["version"],
              "producer_party": row["producer_party"],
              "restricted_owner": row["restricted_owner"], "tlp_gate": row["tlp_gate"],
              "restricted_gate": row["restricted_gate"], "open_access": row["open_access"],
              "registered": registered, "ip_low": low, "ip_high": high}
    return tuple(values[name] for name in COLUMNS)


def insert_index(connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Bulk insert (COPY on PostgreSQL, the driver's executemany on SQLite), as the objects."""
    _INSERT(connection, rows)


def values_at(connection: Connection, collection_id: str,
              stamps: Sequence[int]) -> dict[int, list[Observable]]:
    """The indexed values of these stored versions (by date_added), each version's in index
    order: what an export writes, read from the index instead of parsing patterns again. The
    caller has already read the versions with its reader's scope."""
    found: dict[int, list[Observable]] = {}
    for start in range(0, len(stamps), CHUNK):
        rows = connection.execute(
            select(O.c.date_added, O.c.kind, O.c.value)
            .where(O.c.collection_id == collection_id, O.c.kind != ATTACK_KIND,
                   O.c.date_added.in_(stamps[start:start + CHUNK])))
        for r in rows:
            found.setdefault(r.date_added, []).append(Observable(r.kind, r.value))
    return found


def values_of(connection: Connection, collections: Sequence[str], reach: Scope,
              collection_id: str, stix_id: str) -> list[Match]:
    """The values of the versions of one object that the reader may see."""
    if collection_id not in collections:
        return []
    rows = connection.execute(
        select(O.c.kind, O.c.value, O.c.ip_low, O.c.ip_high).distinct()
        .where(O.c.collection_id == collection_id, O.c.stix_id == stix_id,
               O.c.kind != ATTACK_KIND, visibility(O, reach)).order_by(O.c.kind, O.c.value))
    return [Match(r.kind, r.value, r.ip_low, r.ip_high,
                  wider=supernets(r.kind, r.value) if r.ip_low is not None else ())
            for r in rows]


def _matching(match: Match) -> ColumnElement[bool]:
    if match.low is not None and match.high is not None:
        inside = and_(O.c.ip_low >= match.low, O.c.ip_low <= match.high,
                      O.c.ip_high <= match.high)
        if not match.wider:
            return inside
        # An OR of index lookups (each network's exact range), which both planners run as a
        # union of index searches; a row-value IN was not (SQLite walked the collection).
        return or_(inside, *(and_(O.c.ip_low == low, O.c.ip_high == high)
                             for low, high in match.wider))
    if match.registered is not None:
        return O.c.registered == match.registered
    return and_(O.c.kind == match.kind, O.c.value == match.value)


def _where(collections: Sequence[str], reach: Scope, matches: Sequence[Match],
           excluding: str | None) -> list[ColumnElement[bool]]:
    where = [O.c.collection_id.in_(collections), visibility(O, reach),
             or_(*(_matching(m) for m in matches))]
    if excluding is not None:
        where.append(O.c.stix_id != excluding)
    return where


def count_objects(connection: Connection, collections: Sequence[str], reach: Scope,
                  match: Match, excluding: str | None = None) -> int:
    """How many objects (collection, id) the reader may read have the value."""
    if not collections:
        return 0
    grouped = (select(O.c.collection_id, O.c.stix_id)
               .where(*_where(collections, reach, [match], excluding))
               .group_by(O.c.collection_id, O.c.stix_id).subquery())
    return int(connection.execute(select(func.count()).select_from(grouped)).scalar_one())


def find_objects(connection: Connection, collections: Sequence[str], reach: Scope,
                 matches: Sequence[Match], *, after: tuple[str, str] | None, limit: int,
                 excluding: str | None = None) -> list[Found]:
    """Up to `limit` + 1 objects the reader may read with one of the values, in (collection,
    id) order after the cursor; each with its latest visible matching version."""
    if not collections or not matches:
        return []
    where = _where(collections, reach, matches, excluding)
    if after is not None:
        where.append(tuple_(O.c.collection_id, O.c.stix_id) > tuple_(*after))
    statement = (select(O.c.collection_id, O.c.stix_id, func.max(O.c.type),
                        func.max(O.c.version), func.max(O.c.producer_party),
                        func.max(O.c.restricted_owner), func.min(O.c.kind),
                        func.min(O.c.value))
                 .where(*where).group_by(O.c.collection_id, O.c.stix_id)
                 .order_by(O.c.collection_id, O.c.stix_id).limit(limit + 1))
    return [Found._make(r) for r in connection.execute(statement)]


class Keyed(Protocol):
    """A stored object version, by its key: what `names_of` names."""

    @property
    def collection_id(self) -> str: ...
    @property
    def stix_id(self) -> str: ...
    @property
    def version(self) -> str: ...


def names_of(connection: Connection, reach: Scope, found: Sequence[Keyed]) -> dict[str, str]:
    """stix id -> the `name` (or `value`, or a relationship's type) of the version each found
    object was found by, read under the same visibility (for a page that lists them)."""
    T = exchange_objects
    names: dict[str, str] = {}
    keys = sorted({(f.collection_id, f.stix_id, f.version) for f in found})
    for start in range(0, len(keys), CHUNK):
        rows = connection.execute(select(T.c.stix_id, T.c.raw).where(
            tuple_(T.c.collection_id, T.c.stix_id, T.c.version).in_(keys[start:start + CHUNK]),
            visibility(T, reach)))
        for stix_id, raw in rows:
            obj = orjson.loads(bytes(raw))
            label = obj.get("name") or obj.get("value") or obj.get("relationship_type")
            if isinstance(label, str):
                names[stix_id] = label
    return names

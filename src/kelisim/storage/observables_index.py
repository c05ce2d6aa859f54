"""The correlation index: writing it with the objects, and reader-filtered lookups in it.

Every lookup carries the reader's compiled Art. 6 scope (`exchange_objects.visibility`, on the
gates copied into each index row) and the collections the reader may read, so an object the
reader may not read is never listed, counted or used to match (issue 16, item 1). Pages are
keyset ranges on (collection_id, stix_id); there is no OFFSET.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    text,
    tuple_,
    union_all,
)

from kelisim.domain.exchange_policy import Scope
from kelisim.domain.stix.observables import Observable, supernets, terms
from kelisim.storage.bulk_insert import BulkInsert
from kelisim.storage.exchange_objects import visibility
from kelisim.storage.schema import IP_ROWS_IN_PAGE_ORDER, exchange_objects, exchange_observables

O = exchange_observables  # noqa: E741
_INSERT = BulkInsert(O)
COLUMNS = _INSERT.columns
CHUNK = 500
RANGES_WALKED = 64
"""At most this many distinct indexed ranges inside a searched network are walked one by one."""
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


class Walk(NamedTuple):
    """One index walk of a lookup, in page order: its shape (`exact` kind and value,
    `registered` domain, `ip` range equal to, `inside` a range) and the values bound to it."""

    shape: str
    first: str
    second: str | None = None


def _walks(connection: Connection, match: Match, limit: int) -> list[Walk]:
    """The walks of one match. An IP address or network: each distinct indexed range inside it
    (found first, up to `RANGES_WALKED`) and each wider network that is indexed at all (one
    statement of index probes), so a page of a busy network stops early. A network holding
    more ranges is read as one range, or, when its rows are so dense in the index that a walk
    of the page key meets a page of them sooner than the range could be read and sorted,
    by walking the page key (`dense`)."""
    if match.low is None or match.high is None:
        if match.registered is not None:
            return [Walk("registered", match.registered)]
        assert match.kind is not None and match.value is not None
        return [Walk("exact", match.kind, match.value)]
    bounds = {"low": match.low, "high": match.high}
    ranges, wider = _ranges(connection, match)
    if len(ranges) <= RANGES_WALKED:
        walks = [Walk("ip", low, high) for low, high in ranges]
    else:
        # Reading the range costs its rows; a walk of the page key about (limit / density)
        # rows, density = rows / all rows the walk passes over (`_estimated_rows`): dense when
        # rows² > (limit + 1) × all, so the rows are counted only up to that threshold
        # (unknown size, never analyzed: read the range, which costs no more than its rows).
        total = _estimated_rows(connection)
        threshold = math.isqrt((limit + 1) * total)
        dense = total > 0 and connection.execute(
            _ROWS_INSIDE, {**bounds, "cap": threshold + 1}).scalar_one() > threshold
        walks = [Walk("dense" if dense else "inside", match.low, match.high)]
    return walks + [Walk("ip", low, high) for low, high in wider]


Ranges = list[tuple[str, str]]


def _ranges(connection: Connection, match: Match) -> tuple[Ranges, Ranges]:
    """The distinct indexed ranges inside an IP match (up to `RANGES_WALKED` + 1), and which
    of its wider networks are indexed, by one index probe each. On PostgreSQL both in one
    statement, the wider networks as two arrays joined to the range index (two parameters
    whatever their number: 32 probes 0.16 ms, against 0.6-0.9 ms as a UNION ALL of 32 EXISTS,
    which was also planned anew on each lookup once it held the ranges inside: 2 ms)."""
    params: dict[str, Any] = {"low": match.low, "high": match.high,
                              "limit": RANGES_WALKED + 1}
    if connection.dialect.name == "postgresql":
        params["lows"] = [low for low, _ in match.wider]
        params["highs"] = [high for _, high in match.wider]
        found = connection.execute(_PG_RANGES, params).all()
        return ([(low, high) for low, high, inside in found if inside],
                [(low, high) for low, high, inside in found if not inside])
    ranges = [(low, high) for low, high in connection.execute(_RANGES_INSIDE, params)]
    if not match.wider:
        return ranges, []
    probes = {f"l{i}": low for i, (low, _) in enumerate(match.wider)}
    probes.update({f"h{i}": high for i, (_, high) in enumerate(match.wider)})
    return ranges, [(low, high) for low, high in
                    connection.execute(_probes(len(match.wider)), probes)]


_PG_RANGES = text(
    "SELECT r.low::text, r.high::text, true FROM (SELECT DISTINCT ip_low AS low, ip_high AS "
    f"high FROM {O.name} WHERE ip_low >= :low AND ip_low <= :high AND ip_high <= :high "
    "LIMIT :limit) AS r UNION ALL SELECT v.low, v.high, false "
    "FROM unnest(CAST(:lows AS text[]), CAST(:highs AS text[])) AS v(low, high) "
    f"WHERE EXISTS (SELECT FROM {O.name} o WHERE o.ip_low = v.low AND o.ip_high = v.high)")


_ROWS_INSIDE = select(func.count()).select_from(
    select(O.c.ip_low).where(O.c.ip_low >= bindparam("low"), O.c.ip_low <= bindparam("high"),
                             O.c.ip_high <= bindparam("high"))
    .limit(bindparam("cap")).subquery())


def _estimated_rows(connection: Connection) -> int:
    """About how many rows a dense walk passes over: on PostgreSQL the IP rows (the estimate
    of `IP_ROWS_IN_PAGE_ORDER`, the index the walk reads, at its last analyze; 0 if never), on
    SQLite all rows of the index, by its largest rowid (rows are never updated; deleted ones
    only make it an overestimate)."""
    if connection.dialect.name == "postgresql":
        found = connection.execute(text("SELECT reltuples FROM pg_class WHERE oid = "
                                        "CAST(:name AS regclass)"),
                                   {"name": IP_ROWS_IN_PAGE_ORDER}).scalar()
        return max(0, int(found or 0))
    return int(connection.execute(text(f"SELECT max(rowid) FROM {O.name}")).scalar() or 0)


_RANGES_INSIDE = (select(O.c.ip_low, O.c.ip_high).distinct()
                  .where(O.c.ip_low >= bindparam("low"), O.c.ip_low <= bindparam("high"),
                         O.c.ip_high <= bindparam("high"))
                  .limit(bindparam("limit")))


@lru_cache(maxsize=256)
def _probes(count: int) -> Any:
    """`count` index probes in one statement: which of the ranges l<i>..h<i> are indexed."""
    return union_all(*(
        select(bindparam(f"l{i}", type_=String).label("low"),
               bindparam(f"h{i}", type_=String).label("high"))
        .where(exists().where(O.c.ip_low == bindparam(f"l{i}"),
                              O.c.ip_high == bindparam(f"h{i}")))
        for i in range(count)))


_EMPTY = literal_column("''", String)


def _walk_condition(shape: str, number: int) -> ColumnElement[bool]:
    first: Any = bindparam(f"a{number}", type_=String)
    second: Any = bindparam(f"b{number}", type_=String)
    if shape == "exact":
        return and_(O.c.kind == first, O.c.value == second)
    if shape == "registered":
        return O.c.registered == first
    if shape == "ip":
        return and_(O.c.ip_low == first, O.c.ip_high == second)
    if shape == "dense":  # tested on each row of the page key's walk, not an index range
        # `|| ''` as a literal: PostgreSQL's index of the IP rows is on these expressions
        low, high = O.c.ip_low.concat(_EMPTY), O.c.ip_high.concat(_EMPTY)
        return and_(O.c.ip_low.is_not(None), low >= first, low <= second, high <= second)
    return and_(O.c.ip_low >= first, O.c.ip_low <= second, O.c.ip_high <= second)


@lru_cache(maxsize=512)
def _lookup_statement(reach: Scope, shapes: tuple[str, ...], after: bool, excluding: bool,
                      limit: int) -> Any:
    """The statement of a lookup of this shape, every value bound (built once: building it
    cost more than running it)."""
    walks = []
    for number, shape in enumerate(shapes):
        # The collections are a filter no index serves (`collection_id || ''`), but for a
        # dense walk, which walks the page key itself. PostgreSQL keeps statistics of that
        # expression (migration 0026), so it still knows how many rows pass the filter.
        collection = O.c.collection_id if shape == "dense" else O.c.collection_id.concat(_EMPTY)
        where = [collection.in_(bindparam("collections", expanding=True)),
                 visibility(O, reach), _walk_condition(shape, number)]
        if excluding:
            where.append(O.c.stix_id != bindparam("excluding"))
        if after:
            where.append(tuple_(O.c.collection_id, O.c.stix_id)
                         > tuple_(bindparam("after_collection"), bindparam("after_id")))
        walks.append(select(O.c.collection_id, O.c.stix_id, func.max(O.c.type).label("type"),
                            func.max(O.c.version).label("version"),
                            func.max(O.c.producer_party).label("producer_party"),
                            func.max(O.c.restricted_owner).label("restricted_owner"),
                            func.min(O.c.kind).label("kind"), func.min(O.c.value).label("value"))
                     .where(*where).group_by(O.c.collection_id, O.c.stix_id)
                     .order_by(O.c.collection_id, O.c.stix_id).limit(limit + 1))
    if len(walks) == 1:
        return walks[0]
    # The first limit + 1 keys of the union are among the first limit + 1 of each walk.
    union = union_all(*(select(walk.subquery()) for walk in walks)).subquery()
    return (select(union.c.collection_id, union.c.stix_id, func.max(union.c.type),
                   func.max(union.c.version), func.max(union.c.producer_party),
                   func.max(union.c.restricted_owner), func.min(union.c.kind),
                   func.min(union.c.value))
            .group_by(union.c.collection_id, union.c.stix_id)
            .order_by(union.c.collection_id, union.c.stix_id).limit(limit + 1))


def find_objects(connection: Connection, collections: Sequence[str], reach: Scope,
                 matches: Sequence[Match], *, after: tuple[str, str] | None, limit: int,
                 excluding: str | None = None) -> list[Found]:
    """Up to `limit` + 1 objects the reader may read with one of the values, in (collection,
    id) order after the cursor; each with its latest visible matching version."""
    if not collections or not matches:
        return []
    # Each match (and each indexed range of an IP match) walks its own index in page order and
    # stops after the page; one UNION ALL of those walks is grouped again by object. An OR of
    # the matches made the database read and sort every row of every match (a busy registered
    # domain or network: thousands, tens of thousands at 1M objects) for one page.
    walks = [walk for match in matches for walk in _walks(connection, match, limit)]
    if not walks:
        return []
    params: dict[str, Any] = {"collections": list(collections)}
    for number, walk in enumerate(walks):
        params[f"a{number}"], params[f"b{number}"] = walk.first, walk.second
    if excluding is not None:
        params["excluding"] = excluding
    if after is not None:
        params["after_collection"], params["after_id"] = after
    statement = _lookup_statement(reach, tuple(w.shape for w in walks), after is not None,
                                  excluding is not None, limit)
    # A dense walk reads the page key in order (PostgreSQL: `IP_ROWS_IN_PAGE_ORDER`), as
    # `_walks` decided from the range's rows; PostgreSQL's own estimate of a range of
    # expressions can be fifty times too low, and it then read and sorted the whole range
    # (5,511 rows, 23 ms; walked, 0.3 ms). So it plans that statement without sorts.
    unsorted = connection.dialect.name == "postgresql" and any(w.shape == "dense" for w in walks)
    if unsorted:
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
    found = [Found._make(r) for r in connection.execute(statement, params)]
    if unsorted:  # (a failed statement ends its transaction, and the setting with it)
        connection.exec_driver_sql("SET LOCAL enable_sort = on")
    return found


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

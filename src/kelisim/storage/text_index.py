"""The full-text index: writing it with the objects, and reader-filtered searches in it.

One `exchange_search` row per stored object version (issue 16, item 3; decision 0018): its
searched text as `domain.search_text.document` folds and splits it. SQLite matches it with its
FTS5 table (`schema.SEARCH_FTS`, `ascii` tokenizer: the tokens are already folded, so it only
splits at the spaces); PostgreSQL with the `terms` tsvector, written as a literal of the same
tokens and positions (its parser never reads them), under a GIN index. Either way the same
tokens match the same queries.

A search joins each match to its object version and applies the reads' own filters
(`exchange_objects.filters`: the reader's compiled Art. 6 scope, type, direction, threat class,
TLP, producer, the latest visible version), so an object the reader may not read is never
returned or counted. Pages are keyset ranges on the index row id, newest first; no OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    cast,
    column,
    delete,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from kelisim.domain.exchange_policy import Scope
from kelisim.domain.search_text import Term, TextQuery, document
from kelisim.domain.stix.observables import Observable
from kelisim.domain.taxii import Query
from kelisim.storage import exchange_objects as objects
from kelisim.storage.schema import SEARCH_FTS, exchange_objects, exchange_search

S = exchange_search
T = exchange_objects
F = table(SEARCH_FTS, column("rowid"))
CHUNK = 500
COPY_TEXT = f"COPY {S.name} (collection_id, date_added, document, terms) FROM STDIN"
INSERT_TEXT = f"INSERT INTO {S.name} (collection_id, date_added, document) VALUES (?, ?, ?)"
FTS_TRIGGERS = (
    f"CREATE TRIGGER {S.name}_ai AFTER INSERT ON {S.name} BEGIN "
    f"INSERT INTO {SEARCH_FTS} (rowid, document) VALUES (new.id, new.document); END",
    f"CREATE TRIGGER {S.name}_ad AFTER DELETE ON {S.name} BEGIN "
    f"INSERT INTO {SEARCH_FTS} ({SEARCH_FTS}, rowid, document) "
    f"VALUES ('delete', old.id, old.document); END",
)
FTS_TABLE = (f"CREATE VIRTUAL TABLE {SEARCH_FTS} USING fts5(document, content='{S.name}', "
             "content_rowid='id', tokenize='ascii')")
"""SQLite's side of the index (migration 0013): FTS5 over `exchange_search.document`."""


class Hit(NamedTuple):
    """One object version a search found (the latest the reader may see), and where."""

    key: int
    collection_id: str
    date_added: int
    stix_id: str
    version: str
    type: str
    tlp: str | None
    restricted_owner: str | None
    producer_party: str | None
    raw: bytes


def text_row(row: dict[str, Any], obj: dict[str, Any],
             values: Sequence[Observable] | None = None) -> tuple[str, int, str] | None:
    """The index row of a stored object row and its object (and its `observables`, if known);
    None when nothing is searchable."""
    text = document(obj, values)
    return (row["collection_id"], row["date_added"], text) if text else None


def insert_text(connection: Connection, rows: Sequence[tuple[str, int, str] | None]) -> None:
    """Bulk insert, in the given order (the caller's date_added order: index row ids grow as
    each collection's date_added does). COPY on PostgreSQL, with the tsvector literal."""
    found = [row for row in rows if row is not None]
    if not found:
        return
    if connection.dialect.name == "postgresql":
        cursor: Any = connection.connection.cursor()
        with cursor.copy(COPY_TEXT) as copy:
            for collection_id, date_added, text in found:
                copy.write_row((collection_id, date_added, text, tsvector_literal(text)))
    else:
        connection.exec_driver_sql(INSERT_TEXT, found)


def tsvector_literal(text: str) -> str:
    """The tsvector of folded tokens joined by spaces, each with its position (tokens are
    letters and digits only, so none needs escaping)."""
    return " ".join(f"'{token}':{n}" for n, token in enumerate(text.split(" "), 1))


def delete_text(connection: Connection, collection_id: str, stamps: Sequence[int]) -> None:
    """Remove the index rows of these stored versions (deleted or replaced)."""
    for start in range(0, len(stamps), CHUNK):
        connection.execute(delete(S).where(S.c.collection_id == collection_id,
                                           S.c.date_added.in_(stamps[start:start + CHUNK])))


def fts5_match(query: TextQuery) -> str:
    """The FTS5 MATCH expression of a query: each term a quoted phrase, all of them ANDed."""
    return " AND ".join(f'"{" ".join(t.tokens)}"{"*" if t.prefix else ""}'
                        for t in query.terms)


def tsquery_literal(query: TextQuery) -> str:
    """The tsquery of a query: phrases with <->, a prefix as :*, all of them ANDed."""
    return " & ".join(f"({_ts_phrase(t)})" for t in query.terms)


def _ts_phrase(term: Term) -> str:
    last = len(term.tokens) - 1
    return " <-> ".join(f"'{token}'{':*' if term.prefix and n == last else ''}"
                        for n, token in enumerate(term.tokens))


def search(connection: Connection, collections: Sequence[str], reach: Scope, query: Query,
           text: TextQuery, *, added_before: int | None, after: int | None,
           limit: int) -> list[Hit]:
    """Up to `limit` + 1 hits the reader may read, newest index row first, after the cursor
    (an index row id); `query` carries the exchange filters and `added_after`.

    On PostgreSQL the newest `RECENT_ROWS` index rows are searched first: a query that matches
    many objects (a technique's name) finds its page there without reading and sorting every
    match, which a GIN index, unordered, would; only a query too rare to fill the page there
    searches the older rows, where it matches few (decision 0018, "Many matches")."""
    if not collections:
        return []
    postgres = connection.dialect.name == "postgresql"
    shape = replace(query, limit=0, added_after=None if query.added_after is None else 0)
    params: dict[str, Any] = {
        "collections": list(collections),
        "match": tsquery_literal(text) if postgres else fts5_match(text)}
    if after is not None:
        params["after"] = after
    if query.added_after is not None:
        params["added_after"] = query.added_after
    if added_before is not None:
        params["added_before"] = added_before

    def run(window: Window) -> list[Hit]:
        statement = _statement(postgres, shape, reach, added_before is not None,
                               after is not None, limit + 1, window)
        return [Hit._make((*r[:9], bytes(r[9]))) for r in connection.execute(statement, params)]

    if not postgres:
        return run(Window.ALL)
    top = after if after is not None else connection.execute(select(func.max(S.c.id))).scalar()
    params["floor"] = int(top or 0) - RECENT_ROWS
    if params["floor"] <= 0:
        return run(Window.ALL)
    recent = run(Window.RECENT)
    if len(recent) > limit:
        return recent
    return recent + run(Window.OLDER)[:limit + 1 - len(recent)]


RECENT_ROWS = 20_000
"""How many of the newest index rows a PostgreSQL search reads first (about 20 ms of checks)."""


class Window(StrEnum):
    """Which index rows a statement searches: all, the recent ones, or those older."""

    ALL = "all"
    RECENT = "recent"
    OLDER = "older"


@lru_cache(maxsize=256)
def _statement(postgres: bool, query: Query, reach: Scope, before: bool, paged: bool,
               limit: int, window: Window = Window.ALL) -> Select[Any]:
    """The search's statement for a shape of query (cached: building it cost more than a
    rare word's search); every value is a bound parameter."""
    key: Any = S.c.id if postgres else F.c.rowid
    columns = (key, T.c.collection_id, T.c.date_added, T.c.stix_id, T.c.version, T.c.type,
               T.c.tlp, T.c.restricted_owner, T.c.producer_party, T.c.raw)
    joined = S.join(T, (T.c.collection_id == S.c.collection_id)
                    & (T.c.date_added == S.c.date_added))
    matched: ColumnElement[bool]
    if postgres:
        matched = S.c.terms.op("@@")(cast(bindparam("match"), TSQUERY))
        source: Any = joined
    else:
        source = F.join(joined, S.c.id == F.c.rowid)
        matched = literal_column(SEARCH_FTS).op("MATCH")(bindparam("match"))
    where = [matched, S.c.collection_id.in_(bindparam("collections", expanding=True)),
             *objects.filters(T.c.collection_id, reach, query)]
    if paged:
        where.append(key < bindparam("after"))
    if window is Window.RECENT:
        where.append(key > bindparam("floor"))
    elif window is Window.OLDER:
        where.append(key <= bindparam("floor"))
    if query.added_after is not None:  # a shape: 0 stands for any instant
        where.append(T.c.date_added > bindparam("added_after"))
    if before:
        where.append(T.c.date_added < bindparam("added_before"))
    return (select(*columns).select_from(source).where(*where).order_by(key.desc())
            .limit(limit))

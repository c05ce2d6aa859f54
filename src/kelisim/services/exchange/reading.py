"""Get Objects, Get an Object, Object Versions, Get Object Manifests, Delete an Object
(TAXII 2.1 sections 5.4, 5.6, 5.8, 5.3, 5.7), each page decided afresh for the reader.

Every page - the first or one reached through `next` - asks the reader's Party's state on the
day it is served, so a withdrawal that takes effect mid-pagination stops the next page. The
`next` token only carries a cursor; what may be seen is never in it. An object the reader may
not see and an object that does not exist give the same 404, and neither counts anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from kelisim.domain import exchange_policy as policy
from kelisim.domain.access import ExchangeAction, require_exchange
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import NotFound, PermissionDenied
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import Query, open_next, parse_query, sign_next
from kelisim.domain.treaty import PartyState
from kelisim.services.exchange.audit import record_reads
from kelisim.services.exchange.callers import caller_in
from kelisim.services.exchange.collections import (
    NOT_FOUND,
    CollectionView,
    find_in,
    state_today,
)
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_objects import ObjectsRepository, Row
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.unit_of_work import UnitOfWork

TOKEN_KEY_CACHE = "exchange.next_token_key"
NO_OBJECT = "No object with this id is visible to this account in this collection " \
            "(TAXII 2.1 section 5.6)."


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    more: bool
    next: str | None


def read_page(rt: Runtime, principal: Principal, collection_key: str, query: Query,
              endpoint: Endpoint, object_id: str | None = None) -> Page:
    """One page of visible object versions (raw JSON unless the manifest/versions is asked)."""
    with rt.unit_of_work() as uow:
        state = state_today(rt, principal, uow)
        require_exchange(principal, ExchangeAction.READ_OBJECTS, state)
        collection = readable(find_in(uow, principal, collection_key, state))
        asked = _Asked.of(query, endpoint, collection, object_id)
        rows, more = _rows(uow, rt, principal, state, collection, asked)
        missing = _object_missing(uow, principal, state, collection, asked, rows)
    return _served(rt, principal, collection, asked, rows, more, missing)


def read_page_with_token(rt: Runtime, token: str, collection_key: str,
                         params: Mapping[str, list[str]], allowed: frozenset[str],
                         endpoint: Endpoint, object_id: str | None = None) -> Page:
    """`read_page` for a TAXII request, from its token on (TAXII 2.1 sections 5.4, 5.6, 5.8,
    5.3), in two round trips on the database: the token's account, the ledger head and the
    collection in one query (`storage.read_context`), then the page; both in autocommit,
    since neither needs the other's snapshot. The token is checked before the query is parsed,
    so an unauthenticated request learns nothing, not even that its query was malformed."""
    with rt.unit_of_work(autocommit=True) as uow:
        who = caller_in(uow, rt, token, collection_key)
        principal, state = who.principal, who.state
        query = parse_query(params, allowed=allowed)
        require_exchange(principal, ExchangeAction.READ_OBJECTS, state)
        collection = readable(who.collection())
        asked = _Asked.of(query, endpoint, collection, object_id)
        rows, more = _rows(uow, rt, principal, state, collection, asked)
        missing = _object_missing(uow, principal, state, collection, asked, rows)
    return _served(rt, principal, collection, asked, rows, more, missing)


@dataclass(frozen=True)
class _Asked:
    """What a read really runs - one object's id, or all its versions, as the endpoint says -
    and what its `next` tokens are bound to besides the account (endpoint, collection, query);
    worked out once per page, for both the cursor it opens and the one it signs."""

    query: Query
    endpoint: Endpoint
    object_id: str | None
    digest: str

    @classmethod
    def of(cls, query: Query, endpoint: Endpoint, collection: CollectionView,
           object_id: str | None) -> _Asked:
        if object_id is not None:
            query = replace(query, ids=(object_id,))
        if endpoint is Endpoint.VERSIONS:
            query = replace(query, versions=("all",))
        return cls(query, endpoint, object_id, query.digest(f"{endpoint.value}:{collection.id}"))


def _rows(uow: UnitOfWork, rt: Runtime, principal: Principal, state: PartyState | None,
          collection: CollectionView, asked: _Asked) -> tuple[list[Row], bool]:
    """The page's rows (at most `limit`) and whether more follow."""
    reach = policy.scope(policy.Reader.of(principal, state))
    query = asked.query
    after = query.added_after
    if query.next is not None:
        after = open_next(token_key(rt), query.next, account_id=principal.account_id,
                          digest=asked.digest)
    rows = ObjectsRepository(uow.connection).page(
        collection.id, reach, query, after=after, limit=query.limit,
        with_raw=asked.endpoint in (Endpoint.OBJECTS, Endpoint.OBJECT))
    return rows[:query.limit], len(rows) > query.limit


def _object_missing(uow: UnitOfWork, principal: Principal, state: PartyState | None,
                    collection: CollectionView, asked: _Asked, rows: list[Row]) -> bool:
    """For Get an Object and its versions whose first page came back empty: whether the reader
    may see no version of the object at all (404), rather than none that the filters match (an
    empty envelope: TAXII 2.1 sections 5.6, 5.8.1). An object the reader may not see is as
    missing as one never stored."""
    if asked.object_id is None or rows or asked.query.next is not None:
        return False
    reach = policy.scope(policy.Reader.of(principal, state))
    any_version = Query(ids=(asked.object_id,), versions=("all",), limit=1)
    return not ObjectsRepository(uow.connection).page(
        collection.id, reach, any_version, after=None, limit=1, with_raw=False)


def _served(rt: Runtime, principal: Principal, collection: CollectionView, asked: _Asked,
            rows: list[Row], more: bool, missing: bool) -> Page:
    """The page as served: its reads of restricted-access information audited first, in a
    transaction of their own (Art. 6) - a page whose audit fails is not served."""
    # Manifests and versions carry no content, but they tell the reader that the owner's
    # restricted objects exist, and their ids and versions: audited like content.
    if any(row.restricted_owner for row in rows):
        with rt.unit_of_work() as uow:
            record_reads(ExchangeRecords(uow.connection), principal, rt.clock(),
                         endpoint=asked.endpoint.value, collection_id=collection.id,
                         rows=rows)
            uow.commit()
    if missing:
        raise NotFound(NO_OBJECT)
    token = None
    if more:
        token = sign_next(token_key(rt), account_id=principal.account_id, digest=asked.digest,
                          after=rows[-1].date_added)
    return Page(rows, more, token)


def delete_object(rt: Runtime, principal: Principal, collection_key: str, object_id: str,
                  query: Query) -> int:
    """Delete the caller's Party's matching versions of an object for everyone, leaving
    tombstones; another Party's copy stays (403 when every match is another Party's).
    Returns how many were deleted."""
    state = state_today(rt, principal)
    require_exchange(principal, ExchangeAction.DELETE_OBJECTS, state)
    with rt.unit_of_work() as uow:
        collection = _deletable(find_in(uow, principal, collection_key, state))
    reader = policy.Reader.of(principal, state)
    reach = policy.scope(reader)
    query = replace(query, ids=(object_id,), limit=1000, next=None, added_after=None)
    with rt.unit_of_work() as uow:
        repo = ObjectsRepository(uow.connection)
        rows: list[Row] = []
        after: int | None = None
        while True:
            page = repo.page(collection.id, reach, query, after=after, limit=1000,
                             with_raw=False)
            rows.extend(page[:1000])
            if len(page) <= 1000:
                break
            after = page[999].date_added
        if not rows:
            raise NotFound(NO_OBJECT)
        # Only the caller's Party's versions: another Party's copy of the same observable (SCO
        # ids derive from values, and each Party keeps its own copy) is never deleted for it.
        own = [r for r in rows if policy.decide(
            reader, policy.Marking(producer_party=r.producer_party), Endpoint.DELETE)]
        if not own:
            raise PermissionDenied(
                "The matching versions were produced by another Party; kelisim deletes only "
                "versions your own Party produced (Art. 6).", article="Art. 6")
        # The intake lock orders tombstones as it orders additions, so that a federation mark
        # (storage/federation_objects.py) never passes over one that commits later.
        repo.lock_collection(collection.id)
        repo.delete_versions(collection.id, own, deleted_by=principal.account_id,
                             deleted_at=rt.clock())
        uow.commit()
    rt.exchange_changed()
    return len(own)


def _deletable(collection: CollectionView) -> CollectionView:
    """TAXII 2.1 section 5.7: deleting needs both read and write access to the collection;
    with neither it is not found (as for anyone who cannot see it), with one of them 403."""
    if collection.can_read and collection.can_write:
        return collection
    if not (collection.can_read or collection.can_write):
        raise NotFound(NOT_FOUND)
    raise PermissionDenied("Deleting an object needs both read and write access to the "
                           "collection (TAXII 2.1 section 5.7).", article="Art. 6")


def readable(collection: CollectionView) -> CollectionView:
    if not collection.can_read:
        raise PermissionDenied("This account may not read this collection "
                               "(TAXII 2.1 section 5.2).", article="Art. 6")
    return collection


def token_key(rt: Runtime) -> bytes:
    key = rt.caches.get(TOKEN_KEY_CACHE)
    if key is None:
        with rt.unit_of_work() as uow:
            key = ExchangeRecords(uow.connection).secret("next_token")
            uow.commit()
        rt.caches[TOKEN_KEY_CACHE] = key
    return key

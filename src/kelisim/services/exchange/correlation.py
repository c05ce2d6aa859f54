"""Correlation: "where else" for an object, and search by observable value (issue 16, item 1).

Both read the correlation index (`storage.observables_index`) within what the reader may read
today: the reader's compiled Art. 6 scope (the same policy and SQL as every exchange read) and
only the collections the reader may read. A value's count is of the *visible* other objects; an
object the reader may not read is neither named, counted nor used to match, so it is as absent
as one never posted (Art. 6). A result that names restricted-access objects is audited before
it is served, like a page of them (`audit.record_reads`).

Matching: an IP address or network finds every indexed address or network overlapping it (a
network containing the address, addresses inside the network); a domain name searched finds
every domain name, URL and e-mail address under its registered domain (Public Suffix List,
docs/decisions/0013); everything else, and `exact=True`, the normalized value itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from kelisim.domain import exchange_policy as policy
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput, NotFound
from kelisim.domain.stix.observables import KINDS, guess_kinds, normalized, supernets, terms
from kelisim.domain.taxii import Query
from kelisim.services.exchange.audit import Listed, record_reads
from kelisim.services.exchange.collections import find_in, reader_scope
from kelisim.services.exchange.reading import NO_OBJECT, readable, token_key
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_objects import ObjectsRepository
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.observables_index import (
    Found,
    Match,
    find_objects,
    names_of,
    values_of,
)
from kelisim.storage.unit_of_work import UnitOfWork

PER_VALUE = 20
MAX_VALUES = 200
COUNT_CAP = 200
"""A value's other objects are counted up to this many ("200+"), as MISP caps correlations:
counting every object of a busy value (a hosting network) would read all of its rows."""
MAX_LIMIT = 1000
SPEC = "issue 16, correlation; Art. 6"


@dataclass(frozen=True)
class Shared:
    """One value of the object, how many other visible objects have it, and the first ones."""

    kind: str
    value: str
    count: int
    objects: list[Found]
    count_capped: bool = False


@dataclass(frozen=True)
class SearchPage:
    objects: list[Found]
    more: bool
    next: str | None


def where_else(rt: Runtime, principal: Principal, collection_key: str, object_id: str,
               per_value: int = PER_VALUE) -> list[Shared]:
    """The object's values, each with the other objects the reader may read that share it."""
    with rt.unit_of_work() as uow:
        state, reach, collections = reader_scope(rt, principal, uow)
        collection = readable(find_in(uow, principal, collection_key, state))
        require_visible(uow, collection.id, reach, object_id)
        shared = []
        for match in values_of(uow.connection, collections, reach, collection.id,
                               object_id)[:MAX_VALUES]:
            assert match.kind is not None and match.value is not None
            found = find_objects(uow.connection, collections, reach, [match], after=None,
                                 limit=max(per_value, 1), excluding=object_id)
            counted = found if len(found) <= per_value else find_objects(
                uow.connection, collections, reach, [match], after=None, limit=COUNT_CAP,
                excluding=object_id)
            shared.append(Shared(match.kind, match.value, min(len(counted), COUNT_CAP),
                                 found[:per_value], count_capped=len(counted) > COUNT_CAP))
    audited(rt, principal, "correlations", [o for s in shared for o in s.objects])
    return shared


def object_names(rt: Runtime, principal: Principal, found: Sequence[Found]) -> dict[str, str]:
    """The names of found objects (stix id -> name or value), for a page listing them."""
    with rt.unit_of_work() as uow:
        _, reach, _ = reader_scope(rt, principal, uow)
        return names_of(uow.connection, reach, found)


def search_value(rt: Runtime, principal: Principal, value: str, *, kind: str | None = None,
                 exact: bool = False, limit: int = 100, next_token: str | None = None
                 ) -> SearchPage:
    """A keyset page of the objects the reader may read that have the value (see the module)."""
    matches = value_matches(value, kind, exact)
    limit = max(1, min(limit, MAX_LIMIT))
    digest = hashlib.sha256(orjson.dumps([value, kind, exact])).hexdigest()[:16]
    with rt.unit_of_work() as uow:
        _, reach, collections = reader_scope(rt, principal, uow)
        after = None if next_token is None else _key(open_cursor(rt, principal, next_token,
                                                                 digest, SPEC))
        found = find_objects(uow.connection, collections, reach, matches, after=after,
                             limit=limit)
    page, more = found[:limit], len(found) > limit
    audited(rt, principal, "observables", page)
    token = sign_cursor(rt, principal, digest, [page[-1].collection_id, page[-1].stix_id]) \
        if more else None
    return SearchPage(page, more, token)


def value_matches(value: str, kind: str | None, exact: bool) -> list[Match]:
    """How a searched value is looked for (InvalidInput if it is no value of its kind)."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)} ({SPEC}).",
                           parameter="kind")
    matches = []
    for candidate in (kind,) if kind else guess_kinds(value):
        found = normalized(candidate, value)
        if found is None:
            continue
        registered, low, high = terms(found.kind, found.value)
        if low is not None and not exact:
            matches.append(Match(found.kind, low=low, high=high,
                                 wider=supernets(found.kind, found.value)))
        elif found.kind == "domain-name" and registered is not None and not exact:
            matches.append(Match(found.kind, registered=registered))
        else:
            matches.append(Match(found.kind, found.value))
    if not matches:
        raise InvalidInput(f"{value[:80]!r} is not a value kelisim indexes"
                           f"{' as ' + kind if kind else ''} ({SPEC}).", parameter="value")
    return matches


def require_visible(uow: UnitOfWork, collection_id: str, reach: policy.Scope,
                    object_id: str) -> None:
    """NotFound, as for an object never stored, unless the reader may read a version of it."""
    any_version = Query(ids=(object_id,), versions=("all",), limit=1)
    if not ObjectsRepository(uow.connection).page(collection_id, reach, any_version,
                                                  after=None, limit=1, with_raw=False):
        raise NotFound(NO_OBJECT)


def audited(rt: Runtime, principal: Principal, endpoint: str, found: Sequence[Listed]) -> None:
    """Audit the restricted-access objects a result names, one entry per collection, before
    the result is served (a result whose audit fails is not served). Sightings, the graph and
    search audit through it too."""
    by_collection: dict[str, list[Listed]] = defaultdict(list)
    for item in found:
        if item.restricted_owner:
            by_collection[item.collection_id].append(item)
    if not by_collection:
        return
    with rt.unit_of_work() as uow:
        records = ExchangeRecords(uow.connection)
        for collection_id, items in sorted(by_collection.items()):
            record_reads(records, principal, rt.clock(), endpoint=endpoint,
                         collection_id=collection_id, rows=items)
        uow.commit()


def _mac(rt: Runtime, payload: str) -> str:
    digest = hmac.new(token_key(rt), payload.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_cursor(rt: Runtime, principal: Principal, digest: str,
                key: Sequence[str | int]) -> str:
    """A next token: the keyset cursor `key`, bound to the account and to the search's
    `digest`, signed with the exchange's token key (search.py uses it too)."""
    body = orjson.dumps({"a": principal.account_id, "q": digest, "k": list(key)})
    payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{payload}.{_mac(rt, payload)}"


def open_cursor(rt: Runtime, principal: Principal, token: str, digest: str,
                spec: str) -> list[str | int]:
    """The cursor of a token `sign_cursor` gave this account for this search (InvalidInput
    otherwise, citing `spec`)."""
    refused = InvalidInput(f"The next token is not valid for this account and search; start "
                           f"again without it ({spec}).", parameter="next")
    payload, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature, _mac(rt, payload)):
        raise refused
    try:
        body = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if body["a"] != principal.account_id or body["q"] != digest \
                or not isinstance(body["k"], list):
            raise refused
        return list(body["k"])
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise refused from None


def _key(cursor: list[str | int]) -> tuple[str, str]:
    if len(cursor) != 2:
        raise InvalidInput(f"The next token is not valid for this search ({SPEC}).",
                           parameter="next")
    return str(cursor[0]), str(cursor[1])

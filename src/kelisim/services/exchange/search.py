"""Full-text search across the exchange (issue 16, item 3; docs/decisions/0018).

Words, "quoted phrases" and prefixes (`domain.search_text`, one normal form for Kazakh, Russian
and English on both databases) in the names, descriptions, labels, aliases, external references
and values of the objects, combined with the exchange's own filters (type, Art. 3 direction,
Art. 2 threat class, TLP, producer Party, added after/before) and, optionally, one collection.

Within what the reader may read today, exactly as correlation reads
(`correlation.reader_scope`: the compiled Art. 6 scope of every read and the collections it
may read): an object the reader may not read is neither returned nor counted, and each object
is found by its latest version the reader may see. A page naming restricted-access objects is
audited before it is served (`correlation.audited`, endpoint "search"). Pages are keyset, newest
indexed first; the next token (`correlation.sign_cursor`) carries the index row id encrypted,
since a row id in clear would count the rows, hidden ones too, between two results.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kelisim.domain.accounts import Principal
from kelisim.domain.agreement_text import THREAT_CLASSES
from kelisim.domain.errors import InvalidInput
from kelisim.domain.inputs import stored_text
from kelisim.domain.search_text import SPEC, parse_query
from kelisim.domain.taxii import (
    TLP_FILTER_VALUES,
    Query,
    format_timestamp,
    micros_of,
    parse_timestamp,
)
from kelisim.services.exchange.collections import find_in
from kelisim.services.exchange.correlation import (
    audited,
    open_cursor,
    reader_scope,
    sign_cursor,
)
from kelisim.services.exchange.reading import readable, token_key
from kelisim.services.runtime import Runtime
from kelisim.storage.text_index import Hit, search

MAX_LIMIT = 1000
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Filters:
    """The exchange filters a search is combined with (each empty: no filter)."""

    types: tuple[str, ...] = ()
    directions: tuple[int, ...] = ()
    threat_classes: tuple[str, ...] = ()
    tlps: tuple[str, ...] = ()
    producers: tuple[str, ...] = ()
    added_after: datetime | None = None
    added_before: datetime | None = None
    collection: str | None = None

    def checked(self) -> Filters:
        """The filters, normalized; InvalidInput naming the first one that is not valid."""
        for name in self.types:
            stored_text(name, "type")
        for number in self.directions:
            if not 1 <= number <= 19:
                raise InvalidInput(f"direction {number} is not one of the 19 directions of "
                                   "Art. 3.", parameter="direction", article="Art. 3")
        for name in self.threat_classes:
            if name not in THREAT_CLASSES:
                raise InvalidInput(f"threat_class is one of {', '.join(THREAT_CLASSES)}.",
                                   parameter="threat_class", article="Art. 2")
        tlps = tuple(t.lower() for t in self.tlps)
        for level in tlps:
            if level not in TLP_FILTER_VALUES:
                raise InvalidInput(f"tlp is one of {', '.join(sorted(TLP_FILTER_VALUES))} "
                                   "(FIRST TLP 2.0).", parameter="tlp")
        producers = tuple(stored_text(p.strip().upper(), "producer") for p in self.producers)
        for instant in (self.added_after, self.added_before):
            if instant is not None and instant.tzinfo is None:
                raise InvalidInput("added_after and added_before are instants with a time "
                                   "zone (UTC: ...Z).", parameter="added_after")
        return Filters(self.types, self.directions, self.threat_classes, tlps, producers,
                       self.added_after, self.added_before, self.collection)


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    more: bool
    next: str | None


def parse_instant(text: str, parameter: str) -> datetime:
    """A date (YYYY-MM-DD: its midnight, UTC) or a STIX timestamp, as the API, the CLI and the
    UI take `added_after` and `added_before`; InvalidInput naming the parameter if neither."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        return datetime.fromtimestamp(0, UTC) + timedelta(microseconds=parse_timestamp(text))
    except ValueError:
        raise InvalidInput(f"{parameter} is a date (YYYY-MM-DD) or a timestamp "
                           "(YYYY-MM-DDTHH:MM:SSZ, UTC).", parameter=parameter) from None


def search_objects(rt: Runtime, principal: Principal, q: str, filters: Filters = Filters(),
                   *, limit: int = DEFAULT_LIMIT, next_token: str | None = None) -> Results:
    """A keyset page of the objects the reader may read that match `q` (see the module)."""
    text = parse_query(q)
    filters = filters.checked()
    limit = max(1, min(limit, MAX_LIMIT))
    digest = hashlib.sha256(orjson.dumps([[t.tokens, t.prefix] for t in text.terms],
                                         ) + repr(filters).encode()).hexdigest()[:16]
    query = Query(types=filters.types, threat_classes=filters.threat_classes,
                  directions=filters.directions, tlps=filters.tlps,
                  producer_parties=filters.producers,
                  added_after=None if filters.added_after is None
                  else micros_of(filters.added_after))
    before = None if filters.added_before is None else micros_of(filters.added_before)
    with rt.unit_of_work() as uow:
        state, reach, collections = reader_scope(rt, principal, uow)
        if filters.collection is not None:
            chosen = readable(find_in(uow, principal, filters.collection, state)).id
            collections = [c for c in collections if c == chosen]
        after = None if next_token is None else _opened(rt, principal, next_token, digest)
        found = search(uow.connection, collections, reach, query, text, added_before=before,
                       after=after, limit=limit)
    hits, more = found[:limit], len(found) > limit
    audited(rt, principal, "search", hits)
    token = sign_cursor(rt, principal, digest, [_mask(rt, hits[-1].key)]) if more else None
    return Results(hits, more, token)


def summary(hit: Hit) -> dict[str, Any]:
    """A hit as the API and the CLI list it."""
    obj = orjson.loads(hit.raw)
    name = obj.get("name") or obj.get("value")
    return {"collection": hit.collection_id, "id": hit.stix_id, "type": hit.type,
            "version": hit.version, "name": name if isinstance(name, str) else None,
            "tlp": hit.tlp, "producer_party": hit.producer_party,
            "restricted_access": hit.restricted_owner is not None,
            "added": format_timestamp(hit.date_added)}


def _opened(rt: Runtime, principal: Principal, token: str, digest: str) -> int:
    cursor = open_cursor(rt, principal, token, digest, SPEC)
    if len(cursor) != 1 or not isinstance(cursor[0], str):
        raise InvalidInput(f"The next token is not valid for this search ({SPEC}).",
                           parameter="next")
    return _unmask(rt, cursor[0])


def _cipher(rt: Runtime) -> Cipher[modes.ECB]:
    key = hashlib.sha256(b"kelisim search cursor\x00" + token_key(rt)).digest()
    # One block, one integer: a keyed permutation of the row id, which only this node inverts.
    return Cipher(algorithms.AES(key), modes.ECB())


def _mask(rt: Runtime, key: int) -> str:
    encryptor = _cipher(rt).encryptor()
    return (encryptor.update(key.to_bytes(16, "big")) + encryptor.finalize()).hex()


def _unmask(rt: Runtime, masked: str) -> int:
    try:
        block = bytes.fromhex(masked)
    except ValueError:
        block = b""
    if len(block) != 16:
        raise InvalidInput(f"The next token is not valid for this search ({SPEC}).",
                           parameter="next")
    decryptor = _cipher(rt).decryptor()
    return int.from_bytes(decryptor.update(block) + decryptor.finalize(), "big")

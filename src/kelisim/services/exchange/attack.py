"""Browse by MITRE ATT&CK technique (issue 16, item 4): the catalogue, and the objects the
reader may read that refer to a technique.

The objects are found in the correlation index, whose rows of kind `ATTACK_KIND` name the
techniques each stored version refers to (written at intake with the other analyst indexes).
They are read exactly as a value search is (`correlation.search_value`): the reader's compiled
Art. 6 scope and only the collections it may read, so an object the reader may not read is
neither listed nor counted; a page naming restricted-access objects is audited before it is
served. Pages are keyset ranges with a signed next token.
"""

from __future__ import annotations

import hashlib

from kelisim.domain.accounts import Principal
from kelisim.domain.attack import Catalogue, Technique, catalogue
from kelisim.domain.errors import NotFound
from kelisim.services.exchange.collections import reader_scope
from kelisim.services.exchange.correlation import (
    MAX_LIMIT,
    SearchPage,
    audited,
    open_cursor,
    sign_cursor,
)
from kelisim.services.runtime import Runtime
from kelisim.storage.observables_index import ATTACK_KIND, Match, find_objects

SPEC = "issue 16, ATT&CK; Art. 6"


def techniques(tactic: str | None = None, word: str | None = None) -> tuple[Catalogue,
                                                                           list[Technique]]:
    """The catalogue (for its version and tactics) and its techniques of a tactic / a word."""
    known = catalogue()
    return known, known.select(tactic=tactic, word=word)


def technique(technique_id: str) -> Technique:
    """The technique, or NotFound naming the catalogue's version."""
    known = catalogue()
    found = known.technique(technique_id)
    if found is None:
        raise NotFound(f"{technique_id[:20]!r} is no technique of MITRE ATT&CK as shipped "
                       f"({known.version}).")
    return found


def objects_of(rt: Runtime, principal: Principal, technique_id: str, *, limit: int = 100,
               next_token: str | None = None) -> SearchPage:
    """A keyset page of the objects the reader may read that refer to the technique."""
    found_technique = technique(technique_id)
    limit = max(1, min(limit, MAX_LIMIT))
    digest = hashlib.sha256(f"attack:{found_technique.id}".encode()).hexdigest()[:16]
    with rt.unit_of_work() as uow:
        _, reach, collections = reader_scope(rt, principal, uow)
        after = None
        if next_token is not None:
            cursor = open_cursor(rt, principal, next_token, digest, SPEC)
            after = (str(cursor[0]), str(cursor[1])) if len(cursor) == 2 else None
        found = find_objects(uow.connection, collections, reach,
                             [Match(ATTACK_KIND, found_technique.id)], after=after, limit=limit)
    page, more = found[:limit], len(found) > limit
    audited(rt, principal, "attack", page)
    token = sign_cursor(rt, principal, digest, [page[-1].collection_id, page[-1].stix_id]) \
        if more else None
    return SearchPage(page, more, token)

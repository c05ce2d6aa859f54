"""Full-text search across the exchange (issue 16, item 3), within what the caller may read
(Art. 6). TAXII itself is at /taxii2/."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kelisim.services.exchange import search
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


class HitOut(BaseModel):
    collection: str = Field(description="The collection's id")
    id: str = Field(description="The STIX id of the object")
    type: str
    version: str = Field(description="Its latest version the caller may read (it matched)")
    name: str | None = Field(description="Its `name`, else its `value`, if any")
    tlp: str | None
    producer_party: str | None
    restricted_access: bool = Field(description="Restricted-access information of a Party")
    added: str = Field(description="When this version was added (date_added, UTC)")


class SearchOut(BaseModel):
    objects: list[HitOut]
    more: bool
    next: str | None = Field(description="Give as `next`, with the same query, for the "
                                         "following page")


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A query or filter kelisim cannot search by (the problem is named)",
          "content": {"application/problem+json": {}}},
    403: {"description": "The caller may not read the exchange or this collection (Art. 6)",
          "content": {"application/problem+json": {}}},
    404: {"description": "No such collection is visible to the caller",
          "content": {"application/problem+json": {}}},
}


@router.get("/search", response_model=SearchOut, responses=PROBLEMS,
            summary="Full-text search of the objects the caller may read (keyset pages)")
def search_objects(
    rt: RuntimeDep, principal: PrincipalDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description=(
        'Words (all must occur), "quoted phrases" (in order, adjacent) and prefixes (`malw*`), '
        "in Kazakh, Russian or English; case and diacritics are folded (ә=а, ё=е, é=e)"))],
    type: Annotated[list[str] | None, Query(description="STIX types; repeat")] = None,
    direction: Annotated[list[int] | None, Query(description="Art. 3 directions (1-19)")
                         ] = None,
    threat_class: Annotated[list[str] | None, Query(description="Art. 2 threat classes")
                            ] = None,
    tlp: Annotated[list[str] | None, Query(description="TLP levels; `none`: unmarked")] = None,
    producer: Annotated[list[str] | None, Query(description="Producer Parties (alpha-3)")
                        ] = None,
    added_after: Annotated[str | None, Query(description="Added after: YYYY-MM-DD or a "
                                                         "timestamp")] = None,
    added_before: Annotated[str | None, Query(description="Added before: YYYY-MM-DD or a "
                                                          "timestamp")] = None,
    collection: Annotated[str | None, Query(description="Only this collection (id or alias)")
                          ] = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_LIMIT)] = search.DEFAULT_LIMIT,
    next: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """Searches the names, descriptions, labels, aliases, external references (source name,
    external id, description, url) and values (SCO values, indicator pattern values) of the
    objects, by their latest version the caller may read, newest indexed first. Only objects
    the caller may read, in collections it may read, are listed or counted (Art. 6); a page
    naming restricted-access objects is recorded in the owner Party's audit of reads."""
    filters = search.Filters(
        types=tuple(type or ()), directions=tuple(direction or ()),
        threat_classes=tuple(threat_class or ()), tlps=tuple(tlp or ()),
        producers=tuple(producer or ()),
        added_after=search.parse_instant(added_after, "added_after") if added_after else None,
        added_before=search.parse_instant(added_before, "added_before") if added_before
        else None, collection=collection)
    found = search.search_objects(rt, principal, q, filters, limit=limit, next_token=next)
    return {"objects": [search.summary(h) for h in found.hits], "more": found.more,
            "next": found.next}

"""Correlation (issue 16, item 1): "where else" for one object and search by observable value,
each within what the caller may read (Art. 6). TAXII itself is at /taxii2/."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kelisim.domain.stix.observables import KINDS
from kelisim.services.exchange import correlation
from kelisim.storage.observables_index import Found
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


class FoundOut(BaseModel):
    collection: str = Field(description="The collection's id")
    id: str = Field(description="The STIX id of the object")
    type: str
    version: str = Field(description="Its latest version the caller may read that has the value")
    producer_party: str | None
    kind: str = Field(description="The kind of the matching value")
    value: str = Field(description="The matching value, normalized")


class SharedOut(BaseModel):
    kind: str = Field(description=f"One of {', '.join(KINDS)}")
    value: str = Field(description="The object's value, normalized")
    count: int = Field(description="Other objects the caller may read that have it, counted "
                                   "up to 200 (see count_capped)")
    count_capped: bool = Field(description="True when more objects than `count` have it: the "
                                           "count stopped at 200")
    objects: list[FoundOut] = Field(description="The first of them, by collection and id")


class Correlations(BaseModel):
    collection: str
    id: str
    values: list[SharedOut]


class SearchOut(BaseModel):
    objects: list[FoundOut]
    more: bool
    next: str | None = Field(description="Give as `next` for the following page")


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A value or parameter kelisim cannot search by",
          "content": {"application/problem+json": {}}},
    403: {"description": "The caller may not read the exchange or this collection (Art. 6)",
          "content": {"application/problem+json": {}}},
    404: {"description": "No such collection or object is visible to the caller",
          "content": {"application/problem+json": {}}},
}


def found_out(found: Found) -> dict[str, Any]:
    return {"collection": found.collection_id, "id": found.stix_id, "type": found.type,
            "version": found.version, "producer_party": found.producer_party,
            "kind": found.kind, "value": found.value}


@router.get("/collections/{key}/objects/{object_id}/correlations", response_model=Correlations,
            responses=PROBLEMS, summary="Where else: other objects sharing this object's values")
def where_else(rt: RuntimeDep, principal: PrincipalDep, key: str, object_id: str,
               limit: Annotated[int, Query(ge=1, le=1000, description="Objects listed per value")
                                ] = correlation.PER_VALUE) -> dict[str, Any]:
    """Each observable value of the object (IP addresses and networks, domain names, URLs,
    e-mail addresses, file hashes and names, indicator pattern values), with how many other
    objects of any Party, in any collection the caller may read, have it and the first of them.
    Only objects the caller may read are named or counted (Art. 6); an object it may not read is
    404 like one never stored. A result naming restricted-access objects is audited."""
    shared = correlation.where_else(rt, principal, key, object_id, per_value=limit)
    return {"collection": key, "id": object_id, "values": [
        {"kind": s.kind, "value": s.value, "count": s.count, "count_capped": s.count_capped,
         "objects": [found_out(o) for o in s.objects]} for s in shared]}


@router.get("/observables", response_model=SearchOut, responses=PROBLEMS,
            summary="Objects the caller may read that have an observable value (keyset pages)")
def search_observables(
    rt: RuntimeDep, principal: PrincipalDep,
    value: Annotated[str, Query(min_length=1, max_length=2000,
                                description="An IP address or CIDR network, domain name, URL, "
                                            "e-mail address, file hash or file name")],
    kind: Annotated[str | None, Query(description=f"One of {', '.join(KINDS)}; "
                                                  "default: guessed from the value")] = None,
    exact: Annotated[bool, Query(description="Only the value itself: no CIDR containment, "
                                             "no registered domain")] = False,
    limit: Annotated[int, Query(ge=1, le=correlation.MAX_LIMIT)] = 100,
    next: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    """An IP address finds the networks containing it and a network the addresses inside it; a
    domain name finds every domain name, URL and e-mail address under its registered domain
    (`example.com` finds `a.b.example.com`); other values are matched exactly, normalized.
    Only objects the caller may read, in collections it may read, are listed (Art. 6)."""
    page = correlation.search_value(rt, principal, value, kind=kind, exact=exact, limit=limit,
                                    next_token=next)
    return {"objects": [found_out(o) for o in page.objects], "more": page.more,
            "next": page.next}

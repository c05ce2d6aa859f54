"""Sightings (issue 16, item 2) and the relationship graph (item 10) of one object, each within
what the caller may read (Art. 6). Sightings are posted like any STIX object (TAXII at
/taxii2/, or POST /api/v1/exchange/...): this is how they are read back, summarized."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kelisim.domain.stix.extension import SIGHTING_TYPES
from kelisim.services.exchange import graph, sightings
from kelisim.web.api.correlation import PROBLEMS
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


class SightingOut(BaseModel):
    collection: str
    id: str = Field(description="The sighting's STIX id")
    version: str = Field(description="Its latest version the caller may read")
    sighting_type: str = Field(description=f"One of {', '.join(SIGHTING_TYPES)}")
    count: int | None = Field(description="Its `count` (none: unknown, counted as 1)")
    first_seen: str | None
    last_seen: str | None
    where_sighted_refs: list[str]
    observed_data_refs: list[str]


class PartyOut(BaseModel):
    party: str | None = Field(description="The reporting Party (none: the node itself)")
    reports: int = Field(description="Sightings it reported that the caller may read")
    by_type: dict[str, int] = Field(description="Of them, by sighting type")
    total_count: int = Field(description="The sum of their `count`")
    first_seen: str | None = Field(description="The earliest first_seen")
    last_seen: str | None = Field(description="The latest last_seen")
    sightings: list[SightingOut] = Field(description="The latest seen first, bounded")


class SightingsOut(BaseModel):
    collection: str
    id: str
    reports: int
    parties: list[PartyOut]
    more: bool = Field(description="More sightings than one summary covers")


class NodeOut(BaseModel):
    collection: str
    id: str
    type: str
    version: str
    name: str | None
    producer_party: str | None
    side: str = Field(description="self, out (named by the object), in (names it) or both")


class EdgeOut(BaseModel):
    source: str
    target: str
    property: str = Field(description="The *_ref or *_refs property naming the target")


class GraphOut(BaseModel):
    center: NodeOut
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    more: bool = Field(description="More neighbours than `limit`")


@router.get("/collections/{key}/objects/{object_id}/sightings", response_model=SightingsOut,
            responses=PROBLEMS, summary="The object's sightings, by reporting Party")
def object_sightings(rt: RuntimeDep, principal: PrincipalDep, key: str, object_id: str,
                     limit: Annotated[int, Query(ge=1, le=1000,
                                                 description="Sightings listed per Party")
                                      ] = sightings.PER_PARTY) -> dict[str, Any]:
    """STIX 2.1 §5.2 sightings whose `sighting_of_ref` is this object, from any collection the
    caller may read, grouped by the Party that reported them: how many of each MISP sighting
    type (kelisim extension `sighting_type`), the sum of `count`, the earliest `first_seen` and
    latest `last_seen`, and the sightings themselves. Only sightings the caller may read are
    used (Art. 6); an object it may not read is 404 like one never stored. A summary using
    restricted-access sightings is audited."""
    return sightings.sightings_of_object(rt, principal, key, object_id,
                                         per_party=limit).as_json()


@router.get("/collections/{key}/objects/{object_id}/graph", response_model=GraphOut,
            responses=PROBLEMS, summary="The object's relationships, one hop: nodes and edges")
def object_graph(rt: RuntimeDep, principal: PrincipalDep, key: str, object_id: str,
                 limit: Annotated[int, Query(ge=1, le=graph.MAX_NEIGHBOURS,
                                             description="Neighbours at most")
                                  ] = graph.MAX_NEIGHBOURS) -> dict[str, Any]:
    """The objects this one names in its `*_ref`/`*_refs` properties (STIX 2.1 §3.2: a
    relationship's source and target, a sighting's object, a report's objects, its creator)
    and those that name it, in any collection the caller may read. A neighbour the caller may
    not read is neither listed nor counted (Art. 6); an object it may not read is 404."""
    return graph.graph_of(rt, principal, key, object_id, limit=limit).as_json()

"""The relationship graph of an object, one hop (issue 16, item 10).

Its neighbours are the objects it names in its `*_ref`/`*_refs` properties (a relationship's
source and target, a sighting's object, a report's objects, its creator) and those that name it
(`domain.stix.references`), read from the references index within what the reader may read
today (`collections.reader_scope`: the reader's Art. 6 scope, the collections it may read). A
neighbour the reader may not read is neither drawn nor counted: a reference to it is as absent
as a reference to an object never posted. Edges come from the latest version of each object the
reader may read. At most `MAX_NEIGHBOURS` neighbours are returned (`more` says when there were
more). A graph naming restricted-access objects is audited (endpoint `graph`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kelisim.domain.accounts import Principal
from kelisim.domain.taxii import stix_version
from kelisim.services.exchange.collections import find_in, reader_scope
from kelisim.services.exchange.correlation import audited, require_visible
from kelisim.services.exchange.reading import readable
from kelisim.services.runtime import Runtime
from kelisim.storage.observables_index import names_of
from kelisim.storage.references_index import Held, held, latest_visible, referred, referring

MAX_NEIGHBOURS = 200
SCAN = 4
"""Rows read per neighbour asked for, of the objects naming this one (versions, properties)."""


@dataclass(frozen=True)
class Node:
    collection_id: str
    stix_id: str
    type: str
    version: str
    producer_party: str | None
    restricted_owner: str | None
    name: str | None
    side: str
    """`self`, `out` (this object names it), `in` (it names this object) or `both`."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    property: str


@dataclass(frozen=True)
class Graph:
    center: Node
    nodes: list[Node]
    edges: list[Edge]
    more: bool

    def as_json(self) -> dict[str, Any]:
        """As the API answers (versions as STIX gives them)."""
        return {"center": _node_json(self.center),
                "nodes": [_node_json(n) for n in self.nodes],
                "edges": [{"source": e.source, "target": e.target, "property": e.property}
                          for e in self.edges], "more": self.more}


def _node_json(node: Node) -> dict[str, Any]:
    return {"collection": node.collection_id, "id": node.stix_id, "type": node.type,
            "version": stix_version(node.version), "name": node.name,
            "producer_party": node.producer_party, "side": node.side}


def graph_of(rt: Runtime, principal: Principal, collection_key: str, object_id: str,
             limit: int = MAX_NEIGHBOURS) -> Graph:
    """The object and its neighbours the reader may read, with the references between them."""
    limit = max(1, min(limit, MAX_NEIGHBOURS))
    with rt.unit_of_work() as uow:
        state, reach, collections = reader_scope(rt, principal, uow)
        collection = readable(find_in(uow, principal, collection_key, state))
        require_visible(uow, collection.id, reach, object_id)
        connection = uow.connection
        own = latest_visible(connection, [collection.id], reach, [object_id])
        out_edges = sorted({(prop, ref) for producer, version, prop, ref
                            in referred(connection, collection.id, reach, object_id)
                            if own.get((collection.id, object_id, producer)) == version})
        targets = _one_each(held(connection, collections, reach, {r for _, r in out_edges}),
                            collection.id)
        scanned = referring(connection, collections, reach, object_id, limit * SCAN)
        latest = latest_visible(connection, collections, reach, {r.stix_id for r in scanned})
        in_rows = [r for r in scanned[:limit * SCAN]
                   if latest.get((r.collection_id, r.stix_id, r.producer_party)) == r.version]
        sources = _one_each([Held(*r[:6]) for r in in_rows], collection.id)
        center = _one_each(held(connection, [collection.id], reach, [object_id]),
                           collection.id)[object_id]
        wanted = list(dict.fromkeys([*(r for _, r in out_edges if r in targets),
                                     *(r.stix_id for r in in_rows if r.stix_id in sources)]))
        more = len(wanted) > limit or len(scanned) > limit * SCAN
        wanted = wanted[:limit]
        found = [center, *(targets.get(i) or sources[i] for i in wanted)]
        names = names_of(connection, reach, found)
    shown = set(wanted)
    edges = [Edge(object_id, ref, prop) for prop, ref in out_edges if ref in shown]
    edges += sorted({Edge(r.stix_id, object_id, r.property) for r in in_rows
                     if r.stix_id in shown}, key=lambda e: (e.source, e.property))
    sides = {e.target: "out" for e in edges if e.source == object_id}
    for e in edges:
        if e.target == object_id:
            sides[e.source] = "both" if sides.get(e.source) == "out" else "in"
    nodes = [_node(h, names, sides[h.stix_id]) for h in found[1:]]
    audited(rt, principal, "graph", found)
    return Graph(_node(center, names, "self"), nodes, edges, more)


def _one_each(found: list[Held], preferred: str) -> dict[str, Held]:
    """One (collection, object) per id: the object's own collection first, else the first."""
    chosen: dict[str, Held] = {}
    for h in found:
        if h.stix_id not in chosen or h.collection_id == preferred:
            chosen[h.stix_id] = h
    return chosen


def _node(h: Held, names: dict[str, str], side: str) -> Node:
    return Node(h.collection_id, h.stix_id, h.type, h.version, h.producer_party,
                h.restricted_owner, names.get(h.stix_id), side)

"""The rules of sightings and references (issue 16, items 2 and 10), without I/O: what a
sighting says, how an object's sightings are summarized per reporting Party, which properties
are edges of the graph, and the graph's picture."""

from __future__ import annotations

from typing import Any

import pytest

from kelisim.domain.errors import InvalidInput
from kelisim.domain.sightings import Sighting, SightingFacts, facts_of, summarize
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, agreement_properties
from kelisim.domain.stix.references import MAX_REFERENCES, Reference, references
from kelisim.domain.taxii import version_key
from kelisim.services.exchange.graph import Edge, Graph, Node
from kelisim.web.ui import relationship_graph

TARGET = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
OTHER = "identity--1b2b3b4b-17d4-4cbf-938f-98ee46b3cd3f"


def seen(stix_id: str, party: str | None, version: str = "2026-11-20T10:00:00.000000Z", *,
         kind: str = "sighting", count: int | None = 1, first: str | None = None,
         last: str | None = None, collection: str = "c1") -> Sighting:
    return Sighting(collection, stix_id, version, party, None,
                    SightingFacts(first, last, count, kind))


def test_sightings_are_grouped_by_party_with_counts_per_type_and_dates() -> None:
    groups = summarize([
        seen("sighting--a", "RUS", count=5, first="2026-10-01T00:00:00.000000Z",
             last="2026-10-02T00:00:00.000000Z"),
        seen("sighting--b", "RUS", kind="false-positive", count=None,
             first="2026-09-01T00:00:00.000000Z", last="2026-09-05T00:00:00.000000Z"),
        seen("sighting--c", "BLR", kind="expired", count=0),
        seen("sighting--d", None, count=2),
    ], per_party=10)
    assert [(g.party, g.reports, g.total_count) for g in groups] == [
        ("RUS", 2, 6), (None, 1, 2), ("BLR", 1, 0)]
    rus = groups[0]
    assert rus.by_type == {"sighting": 1, "false-positive": 1, "expired": 0}
    assert (rus.first_seen, rus.last_seen) == ("2026-09-01T00:00:00.000000Z",
                                               "2026-10-02T00:00:00.000000Z")
    assert [s.stix_id for s in rus.sightings] == ["sighting--a", "sighting--b"]
    assert groups[2].first_seen is None and groups[2].last_seen is None


def test_only_the_latest_version_of_a_sighting_counts_per_producer_chain() -> None:
    groups = summarize([
        seen("sighting--a", "RUS", "2026-11-20T10:00:00.000000Z", count=5),
        seen("sighting--a", "RUS", "2026-11-21T10:00:00.000000Z", count=7),
        seen("sighting--a", "KAZ", "2026-11-20T10:00:00.000000Z", count=1),  # another chain
        seen("sighting--a", "RUS", "2026-11-20T10:00:00.000000Z", count=3, collection="c2"),
    ], per_party=10)
    assert [(g.party, g.reports, g.total_count) for g in groups] == [("RUS", 2, 10),
                                                                     ("KAZ", 1, 1)]


def test_a_party_lists_a_bounded_number_of_sightings_latest_seen_first() -> None:
    many = [seen(f"sighting--{i:03}", "RUS", last=f"2026-11-{i % 28 + 1:02}T00:00:00.000000Z")
            for i in range(50)]
    [group] = summarize(many, per_party=3)
    assert group.reports == 50 and len(group.sightings) == 3
    assert [s.facts.last_seen for s in group.sightings] == sorted(
        (s.facts.last_seen for s in group.sightings), reverse=True)
    assert group.sightings[0].facts.last_seen == "2026-11-28T00:00:00.000000Z"


def sighting_object(**extension: Any) -> dict[str, Any]:
    return {"type": "sighting", "id": "sighting--1", "sighting_of_ref": TARGET,
            "first_seen": "2026-11-01T00:00:00Z", "last_seen": "2026-11-02T00:00:00.5Z",
            "count": 4, "extensions": {KELISIM_EXTENSION_ID: {
                "extension_type": "property-extension", **extension}}}


def test_a_sightings_facts_and_its_misp_type() -> None:
    facts = facts_of(sighting_object(sighting_type="expired"), version_key)
    assert facts == SightingFacts("2026-11-01T00:00:00.000000Z", "2026-11-02T00:00:00.500000Z",
                                  4, "expired")
    assert facts_of(sighting_object(), version_key).sighting_type == "sighting"
    assert facts_of({"type": "sighting"}, version_key) == SightingFacts(None, None, None,
                                                                         "sighting")


@pytest.mark.parametrize(("obj", "says"), [
    (sighting_object(sighting_type="maybe"), "must be one of sighting, false-positive, expired"),
    (sighting_object(sighting_type=["expired"]), "must be one of"),
    ({**sighting_object(sighting_type="expired"), "type": "indicator"},
     "is a property of a sighting only"),
])
def test_a_wrong_sighting_type_is_refused_citing_the_spec(obj: dict[str, Any],
                                                          says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        agreement_properties(obj)
    assert says in refused.value.reason and refused.value.article == "STIX 2.1 §5.2"


def test_references_are_the_ref_properties_but_markings() -> None:
    obj = {"type": "relationship", "id": "relationship--9e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
           "source_ref": TARGET, "target_ref": OTHER, "created_by_ref": OTHER,
           "object_marking_refs": ["marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"],
           "object_refs": [TARGET, TARGET, "not an id", 7], "sample_ref": "x",
           "self_ref": "relationship--9e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}
    assert references(obj) == [Reference("source_ref", TARGET), Reference("target_ref", OTHER),
                               Reference("created_by_ref", OTHER),
                               Reference("object_refs", TARGET)]
    huge = {"type": "report", "id": "report--1",
            "object_refs": [f"indicator--{i:08}-17d4-4cbf-938f-98ee46b3cd3f"
                            for i in range(MAX_REFERENCES + 10)]}
    assert len(references(huge)) == MAX_REFERENCES


def node(stix_id: str, side: str, name: str | None = None) -> Node:
    return Node("c1", stix_id, stix_id.split("--")[0], "2026-11-20T10:00:00.000000Z", "KAZ",
                None, name, side)


def test_the_graph_is_drawn_as_svg_with_every_text_escaped() -> None:
    center = node(TARGET, "self", "<b>evil</b> & co")
    graph = Graph(center, [node(OTHER, "out", "KZ-CERT"), node("sighting--1", "in"),
                           node("report--2", "both", "R")],
                  [Edge(TARGET, OTHER, "created_by_ref"), Edge("sighting--1", TARGET,
                                                               "sighting_of_ref"),
                   Edge(TARGET, "report--2", "x_ref"), Edge("report--2", TARGET, "object_refs")],
                  False)
    svg = str(relationship_graph.draw(graph, {"title": "T <1>", "more": "+{num}"}))
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert "&lt;b&gt;evil&lt;/b&gt; &amp; co" in svg and "T &lt;1&gt;" in svg
    assert svg.count("<a href=") == 4 and "marker-start" in svg  # both ways: two arrows
    crowded = Graph(center, [node(f"sighting--{i}", "in") for i in range(40)], [], True)
    assert "+10" in str(relationship_graph.draw(crowded, {"title": "", "more": "+{num}"}))

"""Sightings and the relationship graph on both databases: the references index written at
intake (and by the migration for what was stored before) and deleted with its versions, the
per-Party summary, the MISP sighting type checked at intake, the audit, the query plans, and
the Art. 6 table: readers x markings x features, checked exhaustively against
`exchange_policy.may_read` and the collections' read lists."""

from __future__ import annotations

import itertools
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from kelisim.domain import exchange_policy as policy
from kelisim.domain.errors import NotFound, PermissionDenied
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID
from kelisim.domain.taxii import Query
from kelisim.services.exchange import audit, collections, graph, reading, sightings
from kelisim.services.exchange.collections import state_today
from kelisim.storage.database import downgrade, make_engine, upgrade
from kelisim.storage.schema import exchange_references
from tests.conftest import Node
from tests.exchange_support import STAMP, Exchange, indicator, restricted_marking, setup_exchange
from tests.integration.test_exchange_confidentiality import post, post_to
from tests.integration.test_exchange_correlation import (
    MARKINGS,
    Posted,
    arm_withdrew,
    policy_marking,
)


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def sighting(of: str, *, count: int | None = None, kind: str | None = None,
             first: str = "2026-11-01T00:00:00Z", last: str = "2026-11-02T00:00:00Z",
             modified: str = STAMP, stix_id: str | None = None, **marking: Any
             ) -> dict[str, Any]:
    obj = indicator(modified=modified, stix_id=stix_id or f"sighting--{uuid.uuid4()}",
                    **marking)
    for name in ("name", "pattern", "pattern_type", "valid_from"):
        obj.pop(name)
    obj.update({"type": "sighting", "sighting_of_ref": of, "first_seen": first,
                "last_seen": last})
    if count is not None:
        obj["count"] = count
    if kind is not None:
        obj["extensions"][KELISIM_EXTENSION_ID]["sighting_type"] = kind
    return obj


def relationship(source: str, target: str, kind: str = "indicates", **marking: Any
                 ) -> dict[str, Any]:
    obj = indicator(stix_id=f"relationship--{uuid.uuid4()}", **marking)
    for name in ("name", "pattern", "pattern_type", "valid_from"):
        obj.pop(name)
    obj.update({"type": "relationship", "relationship_type": kind, "source_ref": source,
                "target_ref": target})
    return obj


def test_sightings_are_summarized_per_reporting_party(ex: Exchange) -> None:
    rt = ex.node.runtime
    seen = indicator("seen")
    post(ex, "kz", seen)
    first = sighting(seen["id"], count=5, first="2026-10-01T00:00:00Z")
    assert post(ex, "ru", first, sighting(seen["id"], kind="false-positive",
                                          last="2026-11-20T08:00:00.5Z"))["success_count"] == 2
    post(ex, "by", sighting(seen["id"], count=3, kind="expired"))
    # a new version replaces the first: its count, not both, is counted
    post(ex, "ru", {**first, "count": 7, "modified": "2026-11-21T00:00:00.000Z"})
    found = sightings.sightings_of_object(rt, ex.principals["kz"], "main", seen["id"])
    assert [(g.party, g.reports, g.by_type, g.total_count) for g in found.parties] == [
        ("RUS", 2, {"sighting": 1, "false-positive": 1, "expired": 0}, 8),
        ("BLR", 1, {"sighting": 0, "false-positive": 0, "expired": 1}, 3)]
    rus = found.parties[0]
    assert rus.first_seen == "2026-10-01T00:00:00.000000Z"
    assert rus.last_seen == "2026-11-20T08:00:00.500000Z"
    assert [s.facts.count for s in rus.sightings] == [None, 7]  # latest last_seen first
    assert found.reports == 3 and not found.more
    bounded = sightings.sightings_of_object(rt, ex.principals["kz"], "main", seen["id"],
                                            per_party=1)
    assert [len(g.sightings) for g in bounded.parties] == [1, 1]
    assert bounded.parties[0].reports == 2


def test_a_sighting_type_is_checked_at_intake(ex: Exchange) -> None:
    seen = indicator("seen")
    wrong = sighting(seen["id"], kind="maybe")
    misplaced = indicator("not a sighting")
    misplaced["extensions"][KELISIM_EXTENSION_ID]["sighting_type"] = "expired"
    status = post(ex, "ru", seen, wrong, misplaced)
    assert status["success_count"] == 1
    messages = sorted(f["message"] for f in status["failures"])
    assert "sighting_type (kelisim extension 1.2.0) is a property of a sighting only. " \
           "(STIX 2.1 §5.2)" in messages
    assert any("must be one of sighting, false-positive, expired, not 'maybe'" in m
               and m.endswith("(STIX 2.1 §5.2)") for m in messages)


def test_the_graph_is_one_hop_both_ways(ex: Exchange) -> None:
    rt = ex.node.runtime
    author = {"type": "identity", "spec_version": "2.1", "id": f"identity--{uuid.uuid4()}",
              "created": STAMP, "modified": STAMP, "name": "KZ-CERT analysts",
              "identity_class": "organization"}
    ind = {**indicator("the indicator"), "created_by_ref": author["id"]}
    mal = {**indicator("the malware"), "type": "malware", "id": f"malware--{uuid.uuid4()}",
           "is_family": True}
    for name in ("pattern", "pattern_type", "valid_from"):
        mal.pop(name)
    rel = relationship(ind["id"], mal["id"])
    report = {**indicator("the report"), "type": "report", "id": f"report--{uuid.uuid4()}",
              "published": STAMP, "object_refs": [ind["id"], mal["id"], rel["id"]]}
    for name in ("pattern", "pattern_type", "valid_from"):
        report.pop(name)
    status = post(ex, "kz", author, ind, mal, rel, report)
    assert status["success_count"] == 5, status
    g = graph.graph_of(rt, ex.principals["ru"], "main", ind["id"])
    assert g.center.name == "the indicator" and g.center.side == "self"
    assert {(n.stix_id, n.side, n.name) for n in g.nodes} == {
        (author["id"], "out", "KZ-CERT analysts"), (rel["id"], "in", "indicates"),
        (report["id"], "in", "the report")}
    assert {(e.source, e.target, e.property) for e in g.edges} == {
        (ind["id"], author["id"], "created_by_ref"), (rel["id"], ind["id"], "source_ref"),
        (report["id"], ind["id"], "object_refs")}
    assert not g.more
    g = graph.graph_of(rt, ex.principals["ru"], "main", rel["id"])
    assert {(n.stix_id, n.side) for n in g.nodes} == {
        (ind["id"], "out"), (mal["id"], "out"), (report["id"], "in")}
    small = graph.graph_of(rt, ex.principals["ru"], "main", ind["id"], limit=2)
    assert len(small.nodes) == 2 and small.more
    # a new version that names no one any more has no edges out
    post(ex, "kz", {**rel, "modified": "2026-11-21T00:00:00.000Z",
                    "target_ref": ind["id"], "relationship_type": "related-to"})
    g = graph.graph_of(rt, ex.principals["ru"], "main", mal["id"])
    assert {n.stix_id for n in g.nodes} == {report["id"]}
    # a deletion takes its index rows
    reading.delete_object(rt, ex.principals["kz"], "main", report["id"], Query())
    with rt.unit_of_work() as uow:
        left = uow.connection.execute(select(func.count()).select_from(exchange_references)
                                      .where(exchange_references.c.stix_id == report["id"]))
        assert left.scalar() == 0
    assert {n.stix_id for n in graph.graph_of(rt, ex.principals["ru"], "main",
                                              mal["id"]).nodes} == set()


def test_reads_using_restricted_sightings_are_audited(ex: Exchange) -> None:
    rt = ex.node.runtime
    marking = restricted_marking("KAZ", ["RUS"])
    seen = indicator("seen")
    secret = sighting(seen["id"], markings=[marking["id"]], count=2)
    post(ex, "kz", marking, seen, secret)
    found = sightings.sightings_of_object(rt, ex.principals["ru"], "main", seen["id"])
    assert found.parties[0].total_count == 2
    graph.graph_of(rt, ex.principals["ru"], "main", seen["id"])
    entries = audit.read_audit(rt, ex.principals["kz_admin"])
    assert [e["entry"]["endpoint"] for e in entries] == ["sightings", "graph"]
    assert all(e["entry"]["objects"][0]["id"] == secret["id"] for e in entries)
    assert audit.verify_audit(rt)["ok"]


def test_the_migration_indexes_references_stored_before_it(ex: Exchange) -> None:
    rt = ex.node.runtime
    seen = indicator("seen")
    post(ex, "kz", seen, sighting(seen["id"], count=4, kind="expired"))
    with rt.unit_of_work() as uow:
        uow.connection.execute(delete(exchange_references))
        uow.commit()
    engine = make_engine(rt.settings.database_url)
    downgrade(engine, "0012")
    upgrade(engine)
    engine.dispose()
    found = sightings.sightings_of_object(rt, ex.principals["ru"], "main", seen["id"])
    assert [(g.by_type["expired"], g.total_count) for g in found.parties] == [(1, 4)]

"""Sightings and the relationship graph on both databases: the references index written at
intake (and by the migration for what was stored before) and deleted with its versions, the
per-Party summary, the MISP sighting type checked at intake, the audit, the query plans, and
the Art. 6 table: readers x markings x features, checked exhaustively against
`exchange_policy.may_read` and the collections' read lists."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from kelisim.domain.errors import NotFound, PermissionDenied
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID
from kelisim.domain.taxii import Query
from kelisim.services.exchange import audit, graph, reading, sightings
from kelisim.storage.database import downgrade, make_engine, upgrade
from kelisim.storage.schema import exchange_references
from tests.art6_matrix import post_matrix, readers
from tests.conftest import Node
from tests.exchange_support import STAMP, Exchange, indicator, restricted_marking, setup_exchange
from tests.integration.test_exchange_confidentiality import post


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
    # the MISP sighting type is checked at intake, citing the spec
    wrong = sighting(seen["id"], kind="maybe")
    misplaced = indicator("not a sighting")
    misplaced["extensions"][KELISIM_EXTENSION_ID]["sighting_type"] = "expired"
    status = post(ex, "ru", wrong, misplaced)
    assert status["success_count"] == 0
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


def test_restricted_sightings_are_audited_and_the_migration_indexes_the_stored(
        ex: Exchange) -> None:
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
    # the migration indexes the references of what was stored before it
    seen = indicator("seen again")
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


# --- Art. 6: readers x markings x features -------------------------------------------------

def test_no_sighting_or_neighbour_reveals_what_its_reader_may_not_read(ex: Exchange) -> None:
    """Every marking (GREEN, AMBER for a Party or a body, RED for a named body, restricted
    access for named Parties), by every producer, in a collection every Party reads and one
    only KAZ and RUS read: each is a sighting of a GREEN indicator (so also a neighbour naming
    it) and is named by a GREEN report (a neighbour it names). Each reader sees exactly those
    `may_read` allows, and no other id appears anywhere in what it is given."""
    rt = ex.node.runtime
    target = indicator("the sighted one")
    post(ex, "kz", target)

    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return sighting(target["id"], count=i, tlp=spec["tlp"],
                        recipients=spec.get("recipients"), markings=markings)

    posted = post_matrix(ex, build, first=1).posted
    hub = {**indicator("the hub"), "type": "report", "id": f"report--{uuid.uuid4()}",
           "published": STAMP, "object_refs": [p.obj["id"] for p in posted]}
    for name in ("pattern", "pattern_type", "valid_from"):
        hub.pop(name)
    assert post(ex, "kz", hub)["success_count"] == 1
    every = {p.obj["id"] for p in posted}
    for who, principal, expected in readers(ex, posted):
        if expected is None:
            with pytest.raises(PermissionDenied):
                sightings.sightings_of_object(rt, principal, "main", target["id"])
            with pytest.raises(PermissionDenied):
                graph.graph_of(rt, principal, "main", target["id"])
            continue
        counts = {p.obj["id"]: p.obj["count"] for p in posted}
        found = sightings.sightings_of_object(rt, principal, "main", target["id"],
                                              per_party=1000)
        listed_ids = {s.stix_id for g in found.parties for s in g.sightings}
        assert listed_ids == expected, who
        assert found.reports == len(expected)
        assert sum(g.total_count for g in found.parties) == sum(counts[i] for i in expected)
        _no_other(found, every - expected, who)
        g_in = graph.graph_of(rt, principal, "main", target["id"])
        assert {nd.stix_id for nd in g_in.nodes} == expected, who
        assert {e.source for e in g_in.edges} == expected
        _no_other(g_in, every - expected, who)
        g_out = graph.graph_of(rt, principal, "main", hub["id"])
        assert {nd.stix_id for nd in g_out.nodes} == expected, who
        assert {e.target for e in g_out.edges} == expected
        _no_other(g_out, every - expected, who)
        for p in posted:  # an object the reader may not read: as if never stored
            key = "listed" if p.collection == "listed" else "main"
            if p.obj["id"] in expected:
                continue
            for read in (sightings.sightings_of_object, graph.graph_of):
                with pytest.raises((NotFound, PermissionDenied)):
                    read(rt, principal, key, p.obj["id"])


def _no_other(found: Any, hidden: set[str], who: str) -> None:
    """No hidden id is named anywhere in a result, nor its count used."""
    text = repr(found)
    assert not [i for i in hidden if i in text], who


def test_kelisim_exchange_sightings_acts_as_the_account_it_is_given(
        ex: Exchange, kelisim: Any, database_url: str, tmp_path: Any) -> None:
    seen = indicator("seen")
    hidden = sighting(seen["id"], count=9, tlp="amber", recipients={"parties": ["RUS"]})
    post(ex, "kz", seen, hidden, sighting(seen["id"], count=2, kind="false-positive"))
    where = ("--database-url", database_url, "--data-dir", tmp_path, "exchange", "sightings")
    code, out, _ = kelisim(*where, "main", seen["id"], "--token", ex.tokens["ru"])
    assert code == 0, out
    assert out.startswith(f"2 sightings of {seen['id']}")
    assert "KAZ" in out and "false-positive" in out and hidden["id"] in out
    code, out, _ = kelisim(*where, "main", seen["id"], "--token", ex.tokens["by"])
    assert code == 0 and out.startswith("1 sightings") and hidden["id"] not in out
    code, out, _ = kelisim(*where, "main", seen["id"], "--json", "--token", ex.tokens["by"])
    assert code == 0
    assert [(p["party"], p["total_count"]) for p in json.loads(out)["parties"]] == [("KAZ", 2)]
    code, out, _ = kelisim("--database-url", database_url, "--data-dir", tmp_path, "exchange",
                           "graph", "main", seen["id"], "--token", ex.tokens["ru"])
    assert code == 0 and "2 neighbours" in out and "sighting_of_ref" in out
    code, _, err = kelisim(*where, "main", hidden["id"], "--token", ex.tokens["by"])
    assert code == 1 and err.startswith("error: No object with this id is visible")
    assert len(err.strip().splitlines()) == 1


# --- plans: a lookup is index searches, never a walk of the collection ----------------------

def _plans(ex: Exchange, run: Any) -> list[str]:
    """EXPLAIN (seq scans off on PostgreSQL, as the query-plan tests do) of each statement
    `run` sends to the references index."""
    from sqlalchemy import event
    engine = ex.node.runtime.uow.engine
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM exchange_references" in statement and "WHERE exchange_references.ref" \
                in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("ANALYZE exchange_references")
            cursor.execute("SET enable_seqscan = off")
        else:
            cursor.execute("ANALYZE")
        for statement, parameters in sent:
            explain = "EXPLAIN " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(explain + statement, parameters)
            plans.append("\n".join(str(row) for row in cursor.fetchall()))
    return plans


def test_sightings_and_referrers_are_found_through_the_ref_index(ex: Exchange) -> None:
    seen = [indicator(f"i{i}") for i in range(100)]
    post(ex, "kz", *seen, *[sighting(seen[i % 100]["id"], count=i) for i in range(300)])
    rt = ex.node.runtime
    plans = _plans(ex, lambda: (
        sightings.sightings_of_object(rt, ex.principals["ru"], "main", seen[7]["id"]),
        graph.graph_of(rt, ex.principals["ru"], "main", seen[7]["id"])))
    assert len(plans) == 2
    for plan in plans:
        assert "ix_exchange_references_ref_property" in plan, plan
        assert "collection_id_stix_id" not in plan, plan

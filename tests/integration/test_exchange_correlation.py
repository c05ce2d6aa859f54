"""Correlation on both databases: values indexed at intake (and by the migration for what was
stored before), "where else" and search by value, tombstones, keyset pages, the audit, and the
Art. 6 table: readers x markings x features, checked exhaustively against
`exchange_policy.may_read` and the collections' read lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text

from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied
from kelisim.domain.taxii import Query
from kelisim.services.exchange import audit, collections, correlation, reading
from kelisim.storage import observables_index
from kelisim.storage.database import make_engine, upgrade
from kelisim.storage.schema import exchange_observables
from tests.art6_matrix import Posted, post_matrix, readers
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, restricted_marking, setup_exchange
from tests.integration.test_exchange_confidentiality import post, post_to

SHA = "d" * 64


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def with_pattern(pattern: str, **kwargs: Any) -> dict[str, Any]:
    return {**indicator(**kwargs), "pattern": pattern}


def found_ids(shared: list[correlation.Shared]) -> dict[str, set[str]]:
    return {s.value: {o.stix_id for o in s.objects} for s in shared}


def test_values_are_indexed_at_intake_and_correlate_across_parties(ex: Exchange) -> None:
    rt = ex.node.runtime
    kz = with_pattern(f"[domain-name:value = 'C2.Evil.example' OR file:hashes.'SHA-256' = "
                      f"'{SHA.upper()}'] AND [ipv4-addr:value ISSUBSET '198.51.100.0/24']")
    ru = {"type": "domain-name", "spec_version": "2.1", "id":
          "domain-name--6f4b0f3c-3c1a-5d6e-9f67-1b3c1d9a0e11", "value": "c2.evil.example"}
    by = with_pattern("[ipv4-addr:value = '198.51.100.77']")
    unrelated = with_pattern("[domain-name:value = 'other.example']")
    assert post(ex, "kz", kz, unrelated)["success_count"] == 2
    assert post(ex, "ru", ru)["success_count"] == 1
    assert post(ex, "by", by)["success_count"] == 1
    shared = correlation.where_else(rt, ex.principals["kz"], "main", kz["id"])
    assert [(s.kind, s.value, s.count) for s in shared] == [
        ("SHA-256", SHA, 0), ("domain-name", "c2.evil.example", 1),
        ("ipv4-addr", "198.51.100.0/24", 1)]
    assert found_ids(shared)["c2.evil.example"] == {ru["id"]}
    assert found_ids(shared)["198.51.100.0/24"] == {by["id"]}
    # the address finds the network that contains it, and the other way round
    back = correlation.where_else(rt, ex.principals["by"], "main", by["id"])
    assert found_ids(back) == {"198.51.100.77": {kz["id"]}}
    # search: CIDR containment, registered domain, exact, a hash whatever its case
    search = correlation.search_value
    assert {o.stix_id for o in search(rt, ex.principals["ru"], "198.51.100.0/25").objects} == {
        kz["id"], by["id"]}
    assert {o.stix_id for o in search(rt, ex.principals["ru"], "evil.example").objects} == {
        kz["id"], ru["id"]}
    assert {o.stix_id for o in search(rt, ex.principals["ru"], "a.b.evil.example").objects} \
        == {kz["id"], ru["id"]}
    assert search(rt, ex.principals["ru"], "evil.example", exact=True).objects == []
    assert {o.stix_id for o in search(rt, ex.principals["ru"], SHA.upper()).objects} == {kz["id"]}
    with pytest.raises(InvalidInput):
        search(rt, ex.principals["ru"], "not an ip", kind="ipv4-addr")
    v6 = with_pattern("[ipv6-addr:value ISSUBSET '2001:db8:aa::/48']")
    v6_host = {"type": "ipv6-addr", "spec_version": "2.1",
               "id": "ipv6-addr--1d3c0f53-7a3b-5f4e-8a6e-3f0e7b2d9c41", "value": "2001:db8:aa::9"}
    post(ex, "kz", v6, v6_host)
    assert {o.stix_id for o in search(rt, ex.principals["by"], "2001:DB8:AA::1").objects} == {
        v6["id"]}
    assert {o.stix_id for o in search(rt, ex.principals["by"], "2001:db8::/32").objects} == {
        v6["id"], v6_host["id"]}
    assert search(rt, ex.principals["by"], "2001:db8:ab::/48").objects == []
    assert {o.stix_id for o in search(rt, ex.principals["by"], "198.51.100.77/32",
                                      exact=True).objects} == {by["id"]}


def test_other_collections_count_only_when_the_reader_may_read_them(ex: Exchange) -> None:
    rt = ex.node.runtime
    kaz_only = collections.create_collection(rt, ex.admin, title="KAZ and RUS",
                                             read_parties=["KAZ", "RUS"],
                                             write_parties=["KAZ", "RUS"])
    here = with_pattern("[domain-name:value = 'spread.example']")
    there = with_pattern("[domain-name:value = 'spread.example']")
    post(ex, "by", here)
    assert post_to(ex, "kz", kaz_only.id, there)["success_count"] == 1
    assert found_ids(correlation.where_else(rt, ex.principals["ru"], "main", here["id"])) == {
        "spread.example": {there["id"]}}
    by = correlation.where_else(rt, ex.principals["by"], "main", here["id"])
    assert [(s.value, s.count, s.objects) for s in by] == [("spread.example", 0, [])]


def test_a_deletion_removes_its_index_rows_and_pages_are_keyset(ex: Exchange) -> None:
    rt = ex.node.runtime
    many = [with_pattern("[url:value = 'http://drop.example/x']", name=f"n{i}")
            for i in range(7)]
    post(ex, "kz", *many)
    first = correlation.search_value(rt, ex.principals["ru"], "http://drop.example/x", limit=3)
    assert first.more and first.next and len(first.objects) == 3
    seen = [o.stix_id for o in first.objects]
    page = first
    while page.next:
        page = correlation.search_value(rt, ex.principals["ru"], "http://drop.example/x",
                                        limit=3, next_token=page.next)
        seen += [o.stix_id for o in page.objects]
    assert sorted(seen) == seen and set(seen) == {o["id"] for o in many}
    with pytest.raises(InvalidInput):  # another reader's token, or another search's
        correlation.search_value(rt, ex.principals["by"], "http://drop.example/x", limit=3,
                                 next_token=first.next)
    with pytest.raises(InvalidInput):
        correlation.search_value(rt, ex.principals["ru"], "http://drop.example/y", limit=3,
                                 next_token=first.next)
    shared = correlation.where_else(rt, ex.principals["kz"], "main", many[0]["id"], per_value=2)
    assert [(s.count, len(s.objects)) for s in shared] == [(6, 2)]
    reading.delete_object(rt, ex.principals["kz"], "main", many[1]["id"], Query())
    with rt.unit_of_work() as uow:
        left = uow.connection.execute(select(exchange_observables.c.stix_id).where(
            exchange_observables.c.stix_id == many[1]["id"])).all()
    assert left == []
    assert correlation.where_else(rt, ex.principals["kz"], "main", many[0]["id"])[0].count == 5


def test_correlations_naming_restricted_objects_are_audited(ex: Exchange) -> None:
    rt = ex.node.runtime
    marking = restricted_marking("KAZ", ["RUS"])
    secret = with_pattern("[ipv4-addr:value = '203.0.113.9']", markings=[marking["id"]])
    open_one = with_pattern("[ipv4-addr:value = '203.0.113.9']")
    post(ex, "kz", marking, secret, open_one)
    correlation.where_else(rt, ex.principals["ru"], "main", open_one["id"])
    correlation.search_value(rt, ex.principals["ru"], "203.0.113.0/24")
    entries = audit.read_audit(rt, ex.principals["kz_admin"])
    endpoints = [e["entry"]["endpoint"] for e in entries]
    assert endpoints == ["correlations", "observables"]
    assert all(e["entry"]["objects"][0]["id"] == secret["id"] for e in entries)
    assert audit.verify_audit(rt)["ok"]


def test_the_migration_indexes_objects_stored_before_it(ex: Exchange) -> None:
    rt = ex.node.runtime
    old = with_pattern("[domain-name:value = 'before.example']")
    post(ex, "kz", old)
    with rt.unit_of_work() as uow:
        uow.connection.execute(delete(exchange_observables))
        uow.commit()
    engine = make_engine(rt.settings.database_url)
    from kelisim.storage.database import downgrade
    downgrade(engine, "0009")
    upgrade(engine)
    engine.dispose()
    with rt.unit_of_work() as uow:
        rows = uow.connection.execute(select(func.count()).select_from(
            exchange_observables).where(exchange_observables.c.stix_id == old["id"])).scalar()
    assert rows == 1


# --- Art. 6: readers x markings x features -------------------------------------------------

def test_no_correlation_reveals_what_its_reader_may_not_read(ex: Exchange) -> None:
    rt = ex.node.runtime

    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return with_pattern(f"[domain-name:value = 'h{i}.shared.example' OR "
                            f"ipv4-addr:value = '192.0.2.{i}'] AND "
                            f"[url:value = 'http://shared.example/common']",
                            tlp=spec["tlp"], recipients=spec.get("recipients"),
                            markings=markings, name=f"{name} {i}")

    posted = post_matrix(ex, build).posted
    for _, principal, expected in readers(ex, posted):
        if expected is None:
            with pytest.raises(PermissionDenied):
                correlation.search_value(rt, principal, "shared.example")
            with pytest.raises(PermissionDenied):
                correlation.where_else(rt, principal, "main", posted[0].obj["id"])
            continue
        _check_reader(rt, principal, posted, expected)


def _check_reader(rt: Any, principal: Any, posted: list[Posted], expected: set[str]) -> None:
    # value search, every way a value can be asked: registered domain, CIDR, exact
    for value, exact in (("shared.example", False), ("192.0.2.0/24", False),
                         ("http://shared.example/common", True)):
        page = correlation.search_value(rt, principal, value, exact=exact, limit=1000)
        assert {o.stix_id for o in page.objects} == expected, (principal.name, value)
    for p in posted:
        key = "listed" if p.collection == "listed" else "main"
        own = p.obj["id"]
        if own not in expected:
            with pytest.raises((NotFound, PermissionDenied)):
                correlation.where_else(rt, principal, key, own)
            continue
        shared = correlation.where_else(rt, principal, key, own, per_value=1000)
        others = expected - {own}
        by_value = {s.value: s for s in shared}
        common = by_value["http://shared.example/common"]
        assert {o.stix_id for o in common.objects} == others
        assert common.count == len(others)
        for s in shared:  # nothing else is named or counted anywhere
            assert {o.stix_id for o in s.objects} <= others
            assert s.count == len(s.objects)


def test_kelisim_exchange_correlate_acts_as_the_account_it_is_given(
        ex: Exchange, kelisim: Any, database_url: str, tmp_path: Any) -> None:
    hidden = with_pattern("[domain-name:value = 'cli.example']", tlp="amber",
                          recipients={"parties": ["RUS"]})
    shown = with_pattern("[domain-name:value = 'cli.example']")
    post(ex, "kz", hidden, shown)
    where = ("--database-url", database_url, "--data-dir", tmp_path, "exchange", "correlate")
    code, out, _ = kelisim(*where, shown["id"], "--token", ex.tokens["ru"])
    assert code == 0
    assert [o["stix_id"] for o in json.loads(out)[0]["objects"]] == [hidden["id"]]
    code, out, _ = kelisim(*where, "--value", "cli.example", "--token", ex.tokens["by"])
    assert code == 0 and [o["stix_id"] for o in json.loads(out)["objects"]] == [shown["id"]]
    code, out, _ = kelisim(*where, "--value", "CLI.example")  # the operator: open only
    assert code == 0 and [o["stix_id"] for o in json.loads(out)["objects"]] == [shown["id"]]
    code, _, err = kelisim(*where, hidden["id"], "--token", ex.tokens["by"])
    assert code == 1 and err.startswith("error: No object with this id is visible")
    code, _, err = kelisim(*where, "--value", "x", "--kind", "ipv4-addr")
    assert code == 1 and "not a value kelisim indexes" in err


# --- plans: a lookup is index searches, never a walk of the collection ----------------------

def _plan(ex: Exchange, run: Any, analyzed: bool = True) -> str:
    """EXPLAIN (seq scans off on PostgreSQL, as the query-plan tests do) of the grouped lookup
    statement that `run` sends; on SQLite after ANALYZE, or `analyzed=False` with no table
    statistics at all (as a database kelisim never analyzed is planned)."""
    from sqlalchemy import event
    engine = ex.node.runtime.uow.engine
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM exchange_observables" in statement and "GROUP BY" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = sent[0]
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("ANALYZE exchange_observables")
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
        else:
            if analyzed:
                cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row) for row in cursor.fetchall())


@pytest.mark.parametrize("analyzed", [True, False], ids=["analyzed", "no-statistics"])
@pytest.mark.parametrize(("value", "index"), [
    ("10.0.3.3", "ip_low_ip_high_collection_id_stix_id"),
    ("d3.example", "registered_collection_id_stix_id"),
    ("http://u5.example/", "kind_value_collection_id_stix_id")])
def test_value_lookups_search_the_index_of_their_kind(ex: Exchange, value: str, index: str,
                                                      analyzed: bool) -> None:
    post(ex, "kz", *[with_pattern(f"[ipv4-addr:value = '10.0.{i % 7}.{i % 200}' AND "
                                  f"domain-name:value = 'h{i}.d{i % 50}.example' AND "
                                  f"url:value = 'http://u{i}.example/']") for i in range(600)])
    rt = ex.node.runtime
    plan = _plan(ex, lambda: correlation.search_value(rt, ex.principals["ru"], value), analyzed)
    assert f"ix_exchange_observables_{index}" in plan, plan
    # not a walk of whole collections
    assert "ix_exchange_observables_collection_id_stix_id" not in plan, plan


@pytest.mark.parametrize(("addresses", "shape"), [
    (20, "ip"), (150, "dense"), (150, "inside")])
def test_network_pages_walk_each_indexed_range_and_page_like_one_ordered_read(
        ex: Exchange, addresses: int, shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A network search pages through the union of its walks (each indexed range inside it and
    the wider networks, up to `RANGES_WALKED` ranges; above, the page key walked when the rows
    are dense, else the range read whole) exactly as one ordered read of every matching object
    would: same objects, same order, no gap, no repeat."""
    if shape == "inside":  # as if the index held a billion other rows: the range is sparse
        monkeypatch.setattr(observables_index, "_estimated_rows", lambda _connection: 10**9)
    objects = [with_pattern(f"[ipv4-addr:value = '10.9.{i % 2}.{i % addresses}']")
               for i in range(3 * addresses)]
    objects += [with_pattern("[ipv4-addr:value = '10.9.0.0/16']") for _ in range(5)]
    objects += [with_pattern("[ipv4-addr:value = '10.0.0.0/8']") for _ in range(5)]
    objects += [with_pattern(f"[domain-name:value = 'n{i}.ranges.example']") for i in range(5)]
    post(ex, "kz", *objects)
    rt, ru = ex.node.runtime, ex.principals["ru"]
    expected = sorted(o["id"] for o in objects if "ipv4-addr" in o["pattern"]
                      and ("10.9.0." in o["pattern"] or "/16" in o["pattern"]
                           or "/8" in o["pattern"]))
    with ex.node.runtime.unit_of_work() as uow:
        if uow.connection.dialect.name == "postgresql":  # its estimate of the rows
            uow.connection.execute(text("ANALYZE exchange_observables"))
        match = correlation.value_matches("10.9.0.0/24", None, False)[0]
        walks = observables_index._walks(uow.connection, match, 7)
        assert walks[0].shape == shape and {w.shape for w in walks[1:]} <= {"ip"}
    walked, token, pages = [], None, 0
    while True:
        page = correlation.search_value(rt, ru, "10.9.0.0/24", limit=7, next_token=token)
        walked += [o.stix_id for o in page.objects]
        pages += 1
        if page.next is None:
            break
        token = page.next
    assert walked == expected and pages == -(-len(expected) // 7)
    # an address finds its own rows and the networks containing it, never a neighbour
    one = {o.stix_id for o in correlation.search_value(rt, ru, "10.9.1.1", limit=1000).objects}
    assert one == {o["id"] for o in objects if "'10.9.1.1'" in o["pattern"]
                   or "/16" in o["pattern"] or "/8" in o["pattern"]}


@pytest.mark.parametrize(("others", "count", "capped"), [(3, 3, False), (5, 5, False),
                                                         (6, 5, True), (9, 5, True)])
def test_where_else_counts_other_objects_up_to_the_cap(
        ex: Exchange, others: int, count: int, capped: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy value's other objects are counted up to `COUNT_CAP` (5 here), then "5+"."""
    monkeypatch.setattr(correlation, "COUNT_CAP", 5)
    objects = [with_pattern("[domain-name:value = 'busy.cap.example']")
               for _ in range(others + 1)]
    post(ex, "kz", *objects)
    shared = correlation.where_else(ex.node.runtime, ex.principals["ru"], "main",
                                    objects[0]["id"], per_value=2)
    assert [(s.value, s.count, s.count_capped, len(s.objects)) for s in shared] == [
        ("busy.cap.example", count, capped, 2)]

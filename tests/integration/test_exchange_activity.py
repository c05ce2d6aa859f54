"""The exchange's counts over time on both databases: only what the reader may read is counted
(the Art. 6 table), each object once, in the period its first version the reader may see
arrived; the CLI prints them (issue 16, item 10)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from kelisim.domain.errors import PermissionDenied
from kelisim.domain.exchange_activity import UNSET, Facet, Period
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID
from kelisim.domain.taxii import Query
from kelisim.services.exchange import activity, reading
from tests.art6_matrix import post_matrix, readers
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, setup_exchange
from tests.integration.test_exchange_confidentiality import post


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def _on(ex: Exchange, day: str) -> None:
    ex.node.clock.now = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def test_no_count_includes_what_its_reader_may_not_read(ex: Exchange) -> None:
    rt = ex.node.runtime

    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return indicator(f"cell {i}", tlp=spec["tlp"], recipients=spec.get("recipients"),
                         markings=markings, directions=[i % 19 + 1])

    matrix = post_matrix(ex, build)
    by_id = {p.obj["id"]: p for p in matrix.posted}
    for who, principal, expected in readers(ex, matrix.posted):
        if expected is None:
            with pytest.raises(PermissionDenied):
                activity.activity(rt, principal)
            continue
        directions = activity.activity(rt, principal, Facet.DIRECTION, Period.DAY)
        wanted = Counter(str(by_id[i].obj["extensions"][KELISIM_EXTENSION_ID]
                             ["art3_directions"][0]) for i in expected)
        shown = {k: directions.total(k) for k in directions.keys if k != UNSET}
        assert shown == dict(wanted), who
        # the one object outside the table: KAZ's restricted-access marking definition
        marking_seen = bool(reading.read_page(
            rt, principal, ex.collection_id, Query(ids=(matrix.restricted_marking,)),
            Endpoint.OBJECTS).rows)
        unset = directions.total(UNSET) if UNSET in directions.keys else 0
        assert unset == int(marking_seen), who
        producers = activity.activity(rt, principal, Facet.PRODUCER, Period.MONTH)
        wanted_producers = Counter(by_id[i].marking.producer_party for i in expected)
        if marking_seen:
            wanted_producers["KAZ"] += 1
        assert {k: producers.total(k) for k in producers.keys} == dict(wanted_producers), who
        assert producers.objects == sum(wanted_producers.values())
        assert producers.period_totals()[-1] == producers.objects  # all arrived this month


def test_an_object_counts_once_when_its_first_readable_version_arrived(ex: Exchange) -> None:
    rt = ex.node.runtime
    _on(ex, "2026-10-15")
    first = {**indicator("for Russia first", tlp="amber", recipients={"parties": ["RUS"]},
                         modified="2026-10-15T10:00:00.000Z"),
             "created": "2026-10-15T10:00:00.000Z"}
    assert post(ex, "kz", first)["success_count"] == 1
    _on(ex, "2026-11-20")
    later = {**indicator("then for everyone", stix_id=first["id"],
                         modified="2026-11-20T10:00:00.000Z"),
             "created": "2026-10-15T10:00:00.000Z"}
    assert post(ex, "kz", later)["success_count"] == 1
    ru = activity.activity(rt, ex.principals["ru"], Facet.THREAT_CLASS, Period.MONTH, 3)
    by = activity.activity(rt, ex.principals["by"], Facet.THREAT_CLASS, Period.MONTH, 3)
    assert [p.isoformat() for p in ru.periods] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    assert ru.counts == {"information_crime": [0, 1, 0]}  # its new version is no new object
    assert by.counts == {"information_crime": [0, 0, 1]}  # BLR could not read the first one
    older = activity.activity(rt, ex.principals["ru"], Facet.THREAT_CLASS, Period.DAY, 30)
    assert older.objects == 0  # its first version arrived before the last 30 days


def test_kelisim_exchange_activity_acts_as_the_account_it_is_given(
        ex: Exchange, kelisim: Any, database_url: str, tmp_path: Any) -> None:
    post(ex, "kz", indicator("for Russia", tlp="amber", recipients={"parties": ["RUS"]}),
         indicator("for all", directions=[3, 9]))
    where = ("--database-url", database_url, "--data-dir", tmp_path, "exchange", "activity")
    code, out, _ = kelisim(*where, "--by", "direction", "--json", "--token", ex.tokens["ru"])
    assert code == 0, out
    body = json.loads(out)
    assert body["objects"] == 2 and len(body["periods"]) == 12
    assert {s["key"]: s["total"] for s in body["series"]} == {"9": 2, "3": 1}
    code, out, _ = kelisim(*where, "--by", "direction", "--json", "--token", ex.tokens["by"])
    assert {s["key"]: s["total"] for s in json.loads(out)["series"]} == {"9": 1, "3": 1}
    code, out, _ = kelisim(*where, "--period", "week", "--token", ex.tokens["by"])
    assert code == 0 and "1 objects, by producer" in out and "KAZ" in out
    code, out, err = kelisim(*where, "--by", "party")
    assert code == 2 and "party" in err  # typer names the choices

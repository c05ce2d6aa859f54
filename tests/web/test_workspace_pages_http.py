"""Keyset pages of a project's events, costs and documents over real HTTP on both databases, and the
project page's paged tables (issue 15 bench; docs/decisions/0015-workspace.md "Snapshots and
pages"): `after` and `limit` walk every item once; a bad one is a 400 problem detail naming it."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import httpx
import pytest

from kelisim.services.workspace import documents as docs
from kelisim.services.workspace import projects as ws
from kelisim.web.ui.workspace import PAGE_ROWS
from tests.conftest import LiveServer
from tests.exchange_support import Exchange
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords
from tests.web.ui_session import sign_in
from tests.workspace_documents_support import pdf

API = "/api/v1/workspace/projects"


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return exchange_with_passwords(live_server.node)


def api(live_server: LiveServer, ex: Exchange, who: str) -> httpx.Client:
    return httpx.Client(base_url=live_server.base_url, timeout=30,
                        headers={"Authorization": f"Bearer {ex.tokens[who]}"})


def project(ex: Exchange, costs: int, documents: int = 0) -> str:
    rt, p = ex.node.runtime, ex.principals
    pid = str(ws.propose_project(rt, p["kz"], kind="project", title="Catalogue",
                                 directions=[1])["id"])
    ws.join_project(rt, p["ru"], pid)
    ws.add_stage(rt, p["kz"], pid, title="Collect", deadline=date(2027, 3, 1))
    for n in range(costs):
        ws.record_cost(rt, p["kz"], pid, amount=f"{n + 1}", currency="KZT",
                       description=f"cost {n + 1}")
    for n in range(documents):
        incoming = docs.receive(docs.begin_upload(rt, p["kz"], pid), io.BytesIO(pdf()))
        docs.add_document(rt, p["kz"], pid, incoming,
                          docs.Metadata(title=f"Draft {n}", language="ru"), "draft.pdf")
    return pid


def walk(http: httpx.Client, first: str, key: str) -> list[str]:
    seen, url = [], first
    while url:
        page = http.get(url)
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()[key]]
        url = page.json()["next_url"]
    return seen


def test_the_events_and_documents_apis_walk_every_item_once_by_pages(
        live_server: LiveServer, exchange: Exchange) -> None:
    pid = project(exchange, costs=7, documents=5)
    with api(live_server, exchange, "ru") as ru:
        whole = ru.get(f"{API}/{pid}/events").json()
        assert whole["total"] == 10 and len(whole["events"]) == 10 and whole["next"] is None
        assert [e["position"] for e in whole["events"]] == list(range(1, 11))
        assert walk(ru, f"{API}/{pid}/events?limit=3", "events") == \
            [e["id"] for e in whole["events"]]
        later = ru.get(f"{API}/{pid}/events", params={"after": 8, "limit": 5}).json()
        assert [e["position"] for e in later["events"]] == [9, 10] and later["next"] is None
        listed = ru.get(f"{API}/{pid}/documents").json()
        assert listed["total"] == 5 and listed["next"] is None
        assert walk(ru, f"{API}/{pid}/documents?limit=2", "documents") == \
            [d["id"] for d in listed["documents"]]


def test_the_costs_api_walks_every_cost_once_and_the_project_totals_count_all(
        live_server: LiveServer, exchange: Exchange) -> None:
    pid = project(exchange, costs=ws.COSTS_PAGE + 5)
    ws.record_cost(exchange.node.runtime, exchange.principals["ru"], pid, amount="0.25",
                   currency="RUB")
    with api(live_server, exchange, "by") as by:
        seen = by.get(f"{API}/{pid}").json()["costs"]
        assert seen["recorded_count"] == ws.COSTS_PAGE + 6
        assert len(seen["recorded"]) == ws.COSTS_PAGE  # the first page only
        assert seen["recorded_next"] == seen["recorded"][-1]["position"]
        assert seen["recorded_next_url"] == \
            f"{API}/{pid}/costs?after={seen['recorded_next']}&limit={ws.COSTS_PAGE}"
        every = by.get(f"{API}/{pid}/costs", params={"limit": 1000}).json()
        assert every["total"] == ws.COSTS_PAGE + 6 and every["next"] is None
        assert every["costs"][:ws.COSTS_PAGE] == seen["recorded"]
        ids = [c["id"] for c in every["costs"]]
        assert len(set(ids)) == len(ids) == every["total"]
        for limit in (1, 7, ws.COSTS_PAGE):
            assert walk(by, f"{API}/{pid}/costs?limit={limit}", "costs") == ids
        assert walk(by, seen["recorded_next_url"], "costs") == ids[ws.COSTS_PAGE:]
        kzt = sum(Decimal(c["amount"]) for c in every["costs"] if c["currency"] == "KZT")
        assert kzt == sum(range(1, ws.COSTS_PAGE + 6))
        assert {p: {c: Decimal(v) for c, v in row.items()}
                for p, row in seen["totals_by_party"].items()} == \
            {"KAZ": {"KZT": kzt}, "RUS": {"RUB": Decimal("0.25")}}
        assert {c: Decimal(v) for c, v in seen["totals_by_currency"].items()} == \
            {"KZT": kzt, "RUB": Decimal("0.25")}
        assert by.get(f"{API}/no-such-project/costs").status_code == 404


@pytest.mark.parametrize(("path", "params", "field"), [
    ("events", {"after": "-1"}, "after"), ("events", {"after": "x"}, "after"),
    ("events", {"limit": "0"}, "limit"), ("events", {"limit": "1001"}, "limit"),
    ("costs", {"after": "-1"}, "after"), ("costs", {"limit": "0"}, "limit"),
    ("costs", {"after": str(2**64)}, "after"), ("events", {"after": str(2**31)}, "after"),
    ("documents", {"after": "no-such-document"}, "after"),
    ("documents", {"limit": "0"}, "limit"), ("documents", {"limit": "many"}, "limit"),
])
def test_a_bad_after_or_limit_is_a_problem_detail_naming_it(
        live_server: LiveServer, exchange: Exchange, path: str, params: dict[str, str],
        field: str) -> None:
    pid = project(exchange, costs=0)
    with api(live_server, exchange, "kz") as kz:
        refused = kz.get(f"{API}/{pid}/{path}", params=params)
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert field in refused.text


def test_the_project_page_shows_its_costs_by_pages_with_a_link_to_the_next(
        live_server: LiveServer, exchange: Exchange) -> None:
    pid = project(exchange, costs=PAGE_ROWS + 3)
    with httpx.Client(base_url=live_server.base_url, timeout=30,
                      headers={"Accept-Language": "ru"}) as client:
        assert sign_in(client, NAMES["kz"]).status_code == 303
        first = client.get(f"/workspace/projects/{pid}")
        assert first.status_code == 200
        assert f'>cost {PAGE_ROWS}<' in first.text and f'>cost {PAGE_ROWS + 1}<' not in first.text
        more = re.search(r'href="([^"]+)" rel="next" id="costs-more"', first.text)
        # the keyset is the last cost's place in the history (proposal, joining, stage first)
        assert more and more.group(1).endswith(f"costs_after={PAGE_ROWS + 3}#costs")
        second = client.get(more.group(1).replace("&amp;", "&"))
        shown = re.findall(r">cost (\d+)<", second.text)
        assert shown == [str(n) for n in range(PAGE_ROWS + 1, PAGE_ROWS + 4)]
        assert f"Расходы: {PAGE_ROWS + 1}–{PAGE_ROWS + 3} из {PAGE_ROWS + 3}." in second.text
        assert 'id="costs-more"' not in second.text

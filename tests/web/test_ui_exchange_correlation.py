"""An object's page shows "where else" its values were seen, over real HTTP on both databases:
only objects the reader may read, named and counted, in the reader's language; a list naming a
Party's restricted-access objects is audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from kelisim.services.exchange.audit import read_audit
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, restricted_marking
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords, post
from tests.web.ui_session import sign_in

PATTERN = "[ipv4-addr:value = '198.51.100.23' OR url:value = 'http://dl.bad.example/p.exe']"
OPEN = {**indicator("open one"), "pattern": PATTERN}
AMBER = {**indicator("amber for RUS", tlp="amber", recipients={"parties": ["RUS"]}),
         "pattern": "[ipv4-addr:value ISSUBSET '198.51.100.0/24']"}
MARKING = restricted_marking("KAZ", ["RUS"])
RESTRICTED = {**indicator("restricted KAZ data", markings=[MARKING["id"]]), "pattern": PATTERN}


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    found = exchange_with_passwords(live_server.node)
    post(live_server.node, found.principals["kz"], found.collection_id,
         [OPEN, AMBER, MARKING, RESTRICTED])
    return found


@contextmanager
def client_for(live_server: LiveServer, who: str, lang: str = "en") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": lang}) as client:
        assert sign_in(client, NAMES[who]).status_code == 303
        yield client


def page_of(client: httpx.Client, exchange: Exchange, stix_id: str) -> str:
    response = client.get(f"/exchange/collections/{exchange.collection_id}/objects/{stix_id}")
    assert response.status_code == 200, response.text
    return response.text.split('id="where-else"', 1)[1].split("</table>", 1)[0]


def test_where_else_names_and_counts_only_what_the_reader_may_read(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "ru") as ru:
        section = page_of(ru, exchange, OPEN["id"])
    assert "198.51.100.23" in section and "http://dl.bad.example/p.exe" in section
    assert "amber for RUS" in section and "restricted KAZ data" in section
    assert "restricted access" in section
    audited = read_audit(live_server.node.runtime, exchange.principals["kz_admin"])
    assert [e["entry"]["endpoint"] for e in audited] == ["correlations"]
    with client_for(live_server, "by") as by:
        section = page_of(by, exchange, OPEN["id"])
    assert "amber for RUS" not in section and "restricted KAZ data" not in section
    assert AMBER["id"] not in section and RESTRICTED["id"] not in section
    assert "<td>0</td>" in section and "<td>1</td>" not in section and "<td>2</td>" not in section


@pytest.mark.parametrize(("lang", "heading"), [("kk", "Тағы қайда"), ("ru", "Где ещё"),
                                               ("en", "Where else")])
def test_the_section_speaks_the_reader_s_language(live_server: LiveServer, exchange: Exchange,
                                                  lang: str, heading: str) -> None:
    with client_for(live_server, "kz", lang) as kz:
        response = kz.get(f"/exchange/collections/{exchange.collection_id}/objects/{OPEN['id']}")
    assert f'<h2 id="where-else">{heading}</h2>' in response.text

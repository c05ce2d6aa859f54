"""Subscriptions and the inbox over real HTTP on both databases: the API routes (create, list
without the webhook's secret, delete, inbox, mark read), problem details naming the bad field,
OpenAPI, and the inbox page with the unread count in the header, in Kazakh, Russian and
English."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from kelisim.services.exchange.worker import notify_subscribers
from kelisim.web.ui.i18n import translations
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, restricted_marking
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords, post
from tests.web.ui_session import csrf_of, sign_in

MARKING = restricted_marking("KAZ", ["BLR"])
SECRET = {**indicator("Restricted lure Zhetisu", markings=[MARKING["id"]]),
          "description": "never in a notice"}


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return exchange_with_passwords(live_server.node)


@contextmanager
def api(live_server: LiveServer, exchange: Exchange, who: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_server.base_url}/api/v1/", timeout=10, headers={
            "Authorization": f"Bearer {exchange.tokens[who]}"}) as client:
        yield client


@contextmanager
def browser(live_server: LiveServer, who: str, lang: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": lang}) as client:
        assert sign_in(client, NAMES[who]).status_code == 303
        yield client


def test_the_routes_create_list_notify_mark_read_and_delete(
        live_server: LiveServer, exchange: Exchange) -> None:
    with api(live_server, exchange, "by") as by:
        made = by.post("subscriptions", json={"name": "lures", "types": ["indicator"],
                                              "webhook": "http://127.0.0.1:9/x"})
        assert made.status_code == 201, made.text
        assert made.json()["webhook_secret"].startswith("whsec_")
        listed = by.get("subscriptions").json()
        assert [s["id"] for s in listed] == [made.json()["id"]]
        assert "webhook_secret" not in listed[0]
        post(live_server.node, exchange.principals["kz"], exchange.collection_id,
             [MARKING, SECRET, indicator("open one")])
        notify_subscribers(live_server.node.runtime)
        box = by.get("inbox").json()
        assert box["unread"] == 2 and len(box["notifications"]) == 2
        assert "never in a notice" not in str(box) and "Zhetisu" not in str(box)
        first = box["notifications"][0]["id"]
        marked = by.post("inbox/read", json={"ids": [first]})
        assert marked.json() == {"marked": 1, "unread": 1}
        assert by.get("inbox", params={"unread": "true"}).json()["unread"] == 1
        assert by.post("inbox/read", json={"all": True}).json() == {"marked": 1, "unread": 0}
        assert by.delete(f"subscriptions/{made.json()['id']}").status_code == 204
        gone = by.delete(f"subscriptions/{made.json()['id']}")
        assert gone.status_code == 404
        assert gone.headers["content-type"].startswith("application/problem+json")
        assert by.get("subscriptions").json() == []
    with api(live_server, exchange, "ru") as ru:  # RUS may not read SECRET: told of one only
        assert ru.get("inbox").json()["notifications"] == []
        assert ru.post("inbox/read", json={"ids": [first]}).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"types": ["Indicator!"]}, "types"), ({"technique": "T15"}, "technique"),
    ({"producers": ["XYZ"]}, "producers"), ({"threat_classes": ["spam"]}, "threat_classes"),
    ({"webhook": "javascript:alert(1)"}, "webhook"), ({"email": "a@b.example"}, "email"),
    ({"language": "de"}, "language")])
def test_bad_filters_are_problem_details_naming_the_field(
        live_server: LiveServer, exchange: Exchange, body: dict, field: str) -> None:
    with api(live_server, exchange, "ru") as ru:
        refused = ru.post("subscriptions", json={"name": "x", **body})
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["field"] == field


def test_the_routes_are_documented_and_need_a_token(live_server: LiveServer,
                                                   exchange: Exchange) -> None:
    with httpx.Client(base_url=live_server.base_url) as client:
        paths = client.get("/api/openapi.json").json()["paths"]
        assert client.get("/api/v1/inbox").status_code == 401
    assert {"post", "get"} <= set(paths["/api/v1/subscriptions"])
    assert "404" in paths["/api/v1/subscriptions/{subscription_id}"]["delete"]["responses"]
    assert "400" in paths["/api/v1/subscriptions"]["post"]["responses"]
    assert paths["/api/v1/inbox"]["get"]["summary"]
    with api(live_server, exchange, "am") as am:  # ARM reads no exchange: nothing to watch
        assert am.post("subscriptions", json={"name": "x"}).status_code == 403


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_inbox_page_and_the_header_count_in_each_language(
        live_server: LiveServer, exchange: Exchange, lang: str) -> None:
    gettext = translations(lang).gettext
    with browser(live_server, "by", lang) as by:
        page = by.get("/inbox")
        assert page.status_code == 200 and f'lang="{lang}"' in page.text
        assert gettext("No notices yet.") in page.text
        made = by.post("/inbox/subscriptions", data={
            "csrf_token": csrf_of(page), "name": "BY lures", "types": "indicator",
            "technique": "", "values": "", "producers": "KAZ", "direction": "9",
            "threat_class": "information_crime"}, follow_redirects=False)
        assert made.status_code == 303
        post(live_server.node, exchange.principals["kz"], exchange.collection_id,
             [MARKING, SECRET])
        notify_subscribers(live_server.node.runtime)
        page = by.get("/status")
        assert 'id="inbox-link"' in page.text and '<span class="count"' in page.text
        inbox = by.get("/inbox")
        assert gettext("Inbox") in inbox.text and gettext("Mark all read") in inbox.text
        assert SECRET["id"] in inbox.text and "BY lures" in inbox.text
        assert "directions: 9" in inbox.text and "information_crime" in inbox.text
        assert "Zhetisu" not in inbox.text and "never in a notice" not in inbox.text
        if lang != "en":
            assert gettext("Mark all read") != "Mark all read"
        done = by.post("/inbox/read", data={"csrf_token": csrf_of(inbox)},
                       follow_redirects=False)
        assert done.status_code == 303
        assert '<span class="count"' not in by.get("/status").text
        refused = by.post("/inbox/subscriptions", data={
            "csrf_token": csrf_of(inbox), "name": "bad", "technique": "T15"})
        assert refused.status_code == 400 and 'role="alert"' in refused.text
        forged = by.post("/inbox/read", data={"csrf_token": "forged"})
        assert forged.status_code == 403

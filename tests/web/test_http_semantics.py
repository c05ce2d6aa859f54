"""HTTP as clients expect it, on every area of the app over real HTTP (decision 0011): HEAD is GET
without the body, OPTIONS and every 405 carry `Allow`, `q=0` is not acceptable, and what the
TAXII filters refuse (unknown parameters, `match[version]=all` with others, empty values)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import orjson
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, setup_exchange
from tests.web.ui_session import account, sign_in

TAXII = "application/taxii+json;version=2.1"
VARYING = {"date", "set-cookie"}  # a new CSRF cookie per answer; its value differs, not its size
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND")


@dataclass
class Site:
    live: LiveServer
    ex: Exchange
    object_id: str
    ui: httpx.Client
    http: httpx.Client

    def headers(self, area: str) -> dict[str, str]:
        """What a client of the area sends: a token for TAXII and the API, a session for the UI."""
        if area == "taxii":
            return {"Authorization": f"Bearer {self.ex.tokens['kz']}", "Accept": TAXII}
        if area == "api":
            return {"Authorization": f"Bearer {self.ex.tokens['depositary']}"}
        return {}

    def client(self, area: str) -> httpx.Client:
        return self.ui if area == "ui" else self.http

    def path(self, template: str) -> str:
        return template.format(c=self.ex.collection_id, o=self.object_id)


@pytest.fixture
def site(live_server: LiveServer) -> Iterator[Site]:
    ex = setup_exchange(live_server.node)
    obj = indicator("served by HEAD too")
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        posted = http.post(f"/taxii2/api1/collections/{ex.collection_id}/objects/",
                           content=orjson.dumps({"objects": [obj]}),
                           headers={"Authorization": f"Bearer {ex.tokens['kz']}",
                                    "Accept": TAXII, "Content-Type": TAXII})
        assert posted.json()["success_count"] == 1, posted.text
    account(live_server.node.runtime, "Dep", "depositary")
    with httpx.Client(base_url=live_server.base_url, timeout=30,
                      headers={"Accept-Language": "en"}) as ui, \
            httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        assert sign_in(ui, "Dep").status_code == 303
        yield Site(live_server, ex, obj["id"], ui, http)


OBJECTS = "/taxii2/api1/collections/{c}/objects/"
# (area, path, the methods its resource has): representative routes of every area.
RESOURCES = [
    ("taxii", "/taxii2/", "GET, HEAD, OPTIONS"),  # discovery, public
    ("taxii", "/taxii2/api1/", "GET, HEAD, OPTIONS"),
    ("taxii", "/taxii2/api1/collections/", "GET, HEAD, OPTIONS"),
    ("taxii", "/taxii2/api1/collections/{c}/", "GET, HEAD, OPTIONS"),
    ("taxii", OBJECTS, "GET, HEAD, OPTIONS, POST"),
    ("taxii", OBJECTS + "{o}/", "DELETE, GET, HEAD, OPTIONS"),
    ("taxii", OBJECTS + "{o}/versions/", "GET, HEAD, OPTIONS"),
    ("taxii", "/taxii2/api1/collections/{c}/manifest/", "GET, HEAD, OPTIONS"),
    ("api", "/health", "GET, HEAD, OPTIONS"),
    ("api", "/api/v1/status", "GET, HEAD, OPTIONS"),
    ("api", "/api/v1/accounts", "GET, HEAD, OPTIONS, POST"),
    ("api", "/api/v1/depositary/entries", "GET, HEAD, OPTIONS, POST"),
    ("api", "/api/v1/exchange/collections/{c}/access", "OPTIONS, PUT"),
    ("api", "/api/v1/public/certificates/KZ-1", "GET, HEAD, OPTIONS"),  # public verification
    ("api", "/api/openapi.json", "GET, HEAD, OPTIONS"),
    ("ui", "/", "GET, HEAD, OPTIONS"),
    ("ui", "/signin", "GET, HEAD, OPTIONS, POST"),
    ("ui", "/signout", "OPTIONS, POST"),
    ("ui", "/status", "GET, HEAD, OPTIONS"),
    ("ui", "/exchange/collections/{c}", "GET, HEAD, OPTIONS"),
    ("ui", "/depositary/ledger.json", "GET, HEAD, OPTIONS"),
    ("ui", "/static/kelisim.css", "GET, HEAD, OPTIONS"),
]
GETS = [(area, path) for area, path, allow in RESOURCES if "GET" in allow] + [
    ("taxii", "/taxii2/api1/no-such-resource/"),  # 404s, refusals and redirects too
    ("taxii", OBJECTS + "indicator--00000000-0000-4000-8000-000000000000/"),
    ("api", "/api/v1/status?on=yesterday"),
    ("api", "/api/v1/no-such-route"),
    ("ui", "/signout"),  # POST only: GET is 405, and so is HEAD
]


def test_head_is_the_get_answer_without_its_body(site: Site) -> None:
    for area, path in GETS:
        http = site.client(area)
        get = http.get(site.path(path), headers=site.headers(area))
        head = http.head(site.path(path), headers=site.headers(area))
        assert head.status_code == get.status_code, (path, head.headers)
        assert head.content == b"", path
        assert get.content or get.status_code == 303, path
        same = {k: v for k, v in get.headers.items() if k not in VARYING}
        assert {k: v for k, v in head.headers.items() if k not in VARYING} == same, path
        assert head.headers.get("content-length") == get.headers.get("content-length"), path
        assert head.headers["content-type"] == get.headers["content-type"], path


def test_options_answers_with_the_methods_of_the_resource(site: Site) -> None:
    with httpx.Client(base_url=site.live.base_url, timeout=30) as anyone:  # no credentials
        for _area, path, allow in RESOURCES:
            response = anyone.options(site.path(path))
            assert response.status_code == 204, (path, response.text)
            assert response.headers["allow"] == allow, path
            assert response.content == b"", path


def test_every_method_a_resource_lacks_is_405_with_allow_in_the_area_s_error_format(
        site: Site) -> None:
    for area, path, allow in RESOURCES:
        http = site.client(area)
        for method in METHODS:
            if method in allow.split(", "):
                continue
            response = http.request(method, site.path(path), headers=site.headers(area))
            where = (method, path, response.text)
            assert response.status_code == 405, where
            assert response.headers["allow"] == allow, where
            assert method in response.text and allow in response.text, where
            if area == "taxii":
                assert response.headers["content-type"] == TAXII, where
                assert response.json()["http_status"] == "405", where
            else:
                assert response.headers["content-type"] == "application/problem+json", where
                assert response.json()["status"] == 405, where
                assert response.json()["type"].endswith("method_not_allowed"), where


def test_a_path_no_resource_has_is_404_whatever_the_method(site: Site) -> None:
    with httpx.Client(base_url=site.live.base_url, timeout=30) as anyone:
        for path, taxii in (("/taxii2/no-such/", True), ("/taxii2/api1/collections", True),
                            ("/nowhere", False), ("/api/v1/nowhere", False),
                            ("/static/no-such.css", False)):
            for method in ("GET", "HEAD", "OPTIONS", "PUT", "TRACE", "PROPFIND"):
                response = anyone.request(method, path)
                assert response.status_code == 404, (method, path, response.text)
                assert "allow" not in response.headers, (method, path)
                if method != "HEAD":
                    body = response.json()
                    assert body["http_status"] == "404" if taxii else body["status"] == 404


ACCEPTS = [
    ("application/taxii+json;version=2.1;q=0", 406),
    ("application/taxii+json;q=0", 406),
    ("*/*;q=0", 406),
    ("application/*;q=0.0", 406),
    ("application/taxii+json;version=2.1;q=0, */*", 406),  # the most specific range decides
    ("*/*;q=0, application/taxii+json;q=0.2", 200),
    ("application/taxii+json;version=2.1;q=0.001", 200),
    ("application/json, application/taxii+json;version=2.1;q=0.5", 200),
    ("application/taxii+json;version=2.0, application/json", 406),
    (TAXII, 200),
]


def test_accept_with_q_0_for_taxii_is_406(site: Site) -> None:
    for accept, status in ACCEPTS:
        for path in ("/taxii2/", site.path(OBJECTS)):
            headers = {**site.headers("taxii"), "Accept": accept}
            response = site.http.get(path, headers=headers)
            assert response.status_code == status, (accept, path, response.text)
            assert site.http.head(path, headers=headers).status_code == status, accept
            if status == 406:
                assert response.json()["http_status"] == "406"


MALFORMED = [
    (OBJECTS, {"match[typ]": "indicator"}, "match[typ]"),  # a typo filters nothing: 400
    ("/taxii2/api1/collections/{c}/manifest/", {"matches[id]": "x"}, "matches[id]"),
    (OBJECTS + "{o}/", {"match[type]": "indicator"}, "match[type]"),  # not on this endpoint
    (OBJECTS, {"match[version]": "all,last"}, "match[version]"),
    (OBJECTS, {"match[version]": "first,all"}, "match[version]"),
    (OBJECTS + "{o}/", {"match[version]": "all,2026-11-20T10:00:00.000Z"}, "match[version]"),
    (OBJECTS, {"match[id]": ""}, "match[id]"),  # not "every id"
    (OBJECTS, {"match[id]": " , "}, "match[id]"),
    (OBJECTS, {"match[type]": ""}, "match[type]"),
    ("/taxii2/api1/collections/{c}/manifest/", {"match[version]": ""}, "match[version]"),
    (OBJECTS, {"limit": ""}, "limit"),
    (OBJECTS, {"next": ""}, "next"),
]


def test_malformed_filters_are_400_naming_the_parameter(site: Site) -> None:
    for endpoint, params, parameter in MALFORMED:
        response = site.http.get(site.path(endpoint), params=params,
                                 headers=site.headers("taxii"))
        assert response.status_code == 400, (params, response.text)
        assert response.headers["content-type"] == TAXII
        assert response.json()["details"]["parameter"] == parameter, params
        assert parameter in response.json()["description"], params


def test_well_formed_filters_still_select(site: Site) -> None:
    def get(params: dict[str, str]) -> httpx.Response:
        return site.http.get(site.path(OBJECTS), params=params, headers=site.headers("taxii"))

    for params in ({"match[version]": "first,last"}, {"match[version]": "all"},
                   {"match[id]": f"{site.object_id},"}, {"match[type]": "indicator"}):
        assert [o["id"] for o in get(params).json()["objects"]] == [site.object_id], params
    assert get({"match[id]": "indicator--00000000-0000-4000-8000-000000000000"}).json() == {
        "more": False}


def test_a_delete_with_all_and_another_version_is_refused_and_deletes_nothing(
        site: Site) -> None:
    one = site.path(OBJECTS + "{o}/")
    refused = site.http.delete(one, params={"match[version]": "last,all"},
                               headers=site.headers("taxii"))
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"]["parameter"] == "match[version]"
    assert site.http.get(one, headers=site.headers("taxii")).json()["objects"][0]["id"] == \
        site.object_id

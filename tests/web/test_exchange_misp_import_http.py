"""Import from MISP over real HTTP, on both databases: a token is needed, bad documents are
problem details, a TLP:RED import is read by its Party and not by another Party's reader, the
report names an unmapped tag, and the route is documented in OpenAPI."""

from __future__ import annotations

import json

import httpx

from tests.conftest import LiveServer
from tests.exchange_support import account, setup_exchange
from tests.integration.test_exchange_misp_import import pymisp_event
from tests.web.test_exchange_tombstones_and_audit import api

ROUTE = "import/misp"


def test_the_misp_import_route(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    event = pymisp_event(tag="tlp:red")
    event.add_tag("kelisim-test:unmapped")
    body = json.dumps({"Event": json.loads(event.to_json())})
    headers = {"Content-Type": "application/json"}
    with api(live_server, None) as anonymous:
        refused = anonymous.post(ROUTE, params={"collection": "main"}, content=body,
                                 headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
    with api(live_server, ex.tokens["kz"]) as kz:
        for bad, status in ((b"", 400), (b"{oops", 400), (b'{"Event": []}', 400),
                            (b'[{"type": "bundle"}]', 400)):
            problem = kz.post(ROUTE, params={"collection": "main"}, content=bad,
                              headers=headers)
            assert problem.status_code == status, problem.text
            assert problem.headers["content-type"].startswith("application/problem+json")
            assert "MISP" in problem.json()["detail"]
        missing = kz.post(ROUTE, params={"collection": "nope"}, content=body, headers=headers)
        assert missing.status_code == 404
        done = kz.post(ROUTE, params={"collection": "main"}, content=body, headers=headers)
        assert done.status_code == 202, done.text
        answer = done.json()
        assert answer["status"]["failure_count"] == 0
        assert answer["status"]["success_count"] == answer["objects"]
        assert ("tag", "kelisim-test:unmapped") in {(f["kind"], f["item"])
                                                    for f in answer["report"]}
        indicator = f"indicator--{event.attributes[0].uuid}"
        assert kz.get(f"collections/main/objects/{indicator}").status_code == 200
    ru_reader, _ = account(live_server.node, ex.admin, "ru reader", "reader", "RUS", "RU-CERT")
    for token in (ru_reader, ex.tokens["ru"]):  # another Party's reader and analyst: TLP:RED
        with api(live_server, token) as ru:
            assert ru.get(f"collections/main/objects/{indicator}").status_code == 404
            assert ru.get("export/csv").text.count("\n") == 1  # the header row only
    with api(live_server, ex.tokens["ru"]) as ru:
        written = ru.post(ROUTE, params={"collection": "main"}, content=b"{}",
                          headers=headers)
        assert written.status_code == 400
    with api(live_server, ru_reader) as reader:
        assert reader.post(ROUTE, params={"collection": "main"}, content=body,
                           headers=headers).status_code == 403
    with api(live_server, ex.tokens["kz_reader"]) as reader:
        assert reader.post(ROUTE, params={"collection": "main"}, content=body,
                           headers=headers).status_code == 403
    spec = httpx.get(live_server.base_url + "/api/openapi.json").json()
    operation = spec["paths"]["/api/v1/exchange/import/misp"]["post"]
    assert operation["summary"].startswith("Import a MISP event")
    assert {"400", "401", "403", "404", "413"} <= set(operation["responses"])

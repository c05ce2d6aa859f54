"""/metrics over real HTTP: off without a configured token, 401 with a wrong one, and the
Prometheus text with route templates, chain sizes and the intake queue with the right one."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer

TOKEN = "a-scrape-token-long-enough"


def scrape(live_server: LiveServer, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{live_server.base_url}/metrics", headers=headers, timeout=10)


def test_metrics_are_off_until_a_token_is_configured(live_server: LiveServer) -> None:
    off = scrape(live_server)
    assert off.status_code == 403 and "KELISIM_METRICS_TOKEN" in off.json()["detail"]
    live_server.node.runtime.settings.metrics_token = TOKEN
    assert scrape(live_server, None).status_code == 401
    assert scrape(live_server, "a-scrape-token-long-enougH").status_code == 401
    admin = scrape(live_server, live_server.node.admin_token)
    assert admin.status_code == 401  # an account's token is not the scraper's credential


def test_metrics_count_requests_by_route_template_and_show_the_chains(
        live_server: LiveServer) -> None:
    live_server.node.runtime.settings.metrics_token = TOKEN
    base = live_server.base_url
    headers = {"Authorization": f"Bearer {live_server.node.admin_token}"}
    for party in ("KAZ", "RUS", "BLR"):
        httpx.get(f"{base}/status/parties/{party}", timeout=10)
    httpx.get(f"{base}/no/such/{'x' * 10}", timeout=10)
    recorded = httpx.post(f"{base}/api/v1/depositary/entries", headers=headers, timeout=10,
                          json={"kind": "signature", "party": "KAZ", "date": "2013-11-20"})
    assert recorded.status_code == 201
    scraped = scrape(live_server)
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=")
    lines = scraped.text.splitlines()
    assert ('kelisim_http_requests_total{method="GET",route="/status/parties/{code}",'
            'status="303"} 3.0') in lines
    assert 'kelisim_http_requests_total{method="GET",route="<unmatched>",status="404"} 1.0' \
        in lines
    assert not any("/no/such" in line for line in lines)
    assert any(line.startswith('kelisim_http_request_duration_seconds_bucket{le="+Inf",'
                               'method="POST",route="/api/v1/depositary/entries"}')
               for line in lines)
    assert 'kelisim_ledger_head_seq{chain="depositary"} 1.0' in lines
    assert "kelisim_intake_queue_depth 0.0" in lines

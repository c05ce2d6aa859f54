"""The workspace's notices over real HTTP on both databases (issue 15 item 10; decision 0025):
the inbox page lists them in Kazakh, Russian and English with a link to the record and no
title of it; the form and the API set the account's own address and language for their mail
(problem details naming the field when refused)."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from kelisim.domain.notifications import WORKSPACE_TITLES
from kelisim.services.exchange.worker import notify_subscribers
from kelisim.services.workspace import projects as ws
from kelisim.web.ui.i18n import translations
from tests.conftest import LiveServer
from tests.exchange_support import Exchange
from tests.web.test_subscriptions_http import api, browser
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import csrf_of

TITLE = "Joint catalogue Zhetisu"


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return exchange_with_passwords(live_server.node)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_inbox_lists_workspace_notices_with_their_link_in_each_language(
        live_server: LiveServer, exchange: Exchange, lang: str) -> None:
    rt, p = live_server.node.runtime, exchange.principals
    pid = ws.propose_project(rt, p["kz"], kind="project", title=TITLE, directions=[9])["id"]
    ws.join_project(rt, p["ru"], pid)
    ws.join_project(rt, p["by"], pid)
    ws.add_stage(rt, p["kz"], pid, title="Collect Zhetisu", deadline=date(2027, 3, 1))
    notify_subscribers(rt)
    gettext = translations(lang).gettext
    with browser(live_server, "by", lang) as by:
        page = by.get("/inbox")
        assert page.status_code == 200 and f'lang="{lang}"' in page.text
        for kind in ("workspace:joined", "workspace:consent_awaited"):
            assert f'data-kind="{kind}"' in page.text
            assert gettext(WORKSPACE_TITLES[kind]) in page.text
        if lang != "en":
            assert gettext(WORKSPACE_TITLES["workspace:joined"]) != WORKSPACE_TITLES[
                "workspace:joined"]
        assert f'class="workspace-notice" href="/workspace/projects/{pid}"' in page.text
        assert "2027-03-01" in page.text and "Zhetisu" not in page.text
        assert gettext("E-mail for the workspace's notices") in page.text
        saved = by.post("/inbox/mail", data={"csrf_token": csrf_of(page),
                                              "email": "desk@by-cert.example",
                                              "language": lang}, follow_redirects=False)
        assert saved.status_code == 303
        again = by.get("/inbox")
        assert 'value="desk@by-cert.example"' in again.text
        assert f'<option value="{lang}" selected>' in again.text
        refused = by.post("/inbox/mail", data={"csrf_token": csrf_of(again),
                                                "email": "not an address", "language": lang})
        assert refused.status_code == 400 and 'role="alert"' in refused.text
        opened = by.get(f"/workspace/projects/{pid}")
        assert opened.status_code == 200


def test_the_mail_settings_api(live_server: LiveServer, exchange: Exchange) -> None:
    with api(live_server, exchange, "ru") as ru:
        assert ru.get("inbox/mail").json() == {"email": None, "language": "en", "smtp": False}
        put = ru.put("inbox/mail", json={"email": "duty@ru-cert.example", "language": "ru"})
        assert put.status_code == 200 and put.json()["email"] == "duty@ru-cert.example"
        bad = ru.put("inbox/mail", json={"email": "x", "language": "ru"})
        assert bad.status_code == 400 and bad.json()["field"] == "email"
        assert ru.get("inbox/mail").json()["language"] == "ru"
    with httpx.Client(base_url=live_server.base_url, timeout=10) as anyone:
        assert anyone.get("/api/v1/inbox/mail").status_code == 401

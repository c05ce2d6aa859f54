"""The points-of-contact and communication-check pages over real HTTP on both databases (issue
15 item 9; Art. 8, 9): a body adds and retires its contacts through the forms, a Party launches
a check and is shown the one-time links once, the acknowledgement is counted, and the report
flags the unanswered after the deadline; in kk, ru, en."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange
from tests.web.test_ui_workspace import alert, client_for
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import post_form

LINK = re.compile(r"<code>(https?://[^<]+/workspace/checks/ack/[^<]+)</code>")


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return exchange_with_passwords(live_server.node)


def test_contacts_and_a_check_through_the_pages(live_server: LiveServer,
                                                exchange: Exchange) -> None:
    with client_for(live_server, "kz") as kz, client_for(live_server, "ru", "kk") as ru:
        for name in ("KZ duty desk", "KZ office"):
            added = post_form(kz, "/workspace/contacts", "/workspace/contacts", {
                "name": name, "hours": "24/7", "languages": "kk, ru",
                "channel_kind_0": "email", "channel_value_0": "desk@kz-cert.example"})
            assert added.status_code == 303, added.text[:2000]
        refused = post_form(kz, "/workspace/contacts", "/workspace/contacts", {
            "name": "x", "hours": "office", "languages": "ru", "channel_kind_0": "email",
            "channel_value_0": "desk@kz-cert.example"})
        assert refused.status_code == 400 and "office hours" in alert(refused)
        directory = ru.get("/workspace/contacts").text
        assert "KZ duty desk" in directory and "Тәулік бойы (24/7)" in directory
        rows = re.findall(r'<tr id="contact-[^"]+">(.*?)</tr>',
                          kz.get("/workspace/contacts").text, re.S)
        office = re.search(r'action="(/workspace/contacts/[0-9a-f-]{36}/retire)"',
                           next(r for r in rows if "KZ office" in r))
        assert office and "/retire" not in directory  # RUS may not retire KAZ's contacts
        assert post_form(kz, "/workspace/contacts", office.group(1), {}).status_code == 303
        launched = post_form(ru, "/workspace/checks", "/workspace/checks",
                             {"hours": "1", "parties": "KAZ"})
        assert launched.status_code == 201, launched.text[:2000]
        links = LINK.findall(launched.text)
        assert len(links) == 1  # the retired contact is not asked
        with httpx.Client(timeout=10) as anyone:
            page = anyone.get(links[0])
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            assert anyone.post(links[0], data={"csrf_token": token.group(1)}).status_code == 200
        second = post_form(ru, "/workspace/checks", "/workspace/checks",
                           {"hours": "1", "parties": "KAZ"})
        assert second.status_code == 201
        live_server.node.clock.now += timedelta(hours=2)
        report = kz.get("/workspace/checks").text
        row = report.split('id="report-KAZ"')[1].split("</tr>")[0]
        assert "flagged" in row and "1/1" in row and "0/1" in row
        bad = post_form(kz, "/workspace/checks", "/workspace/checks", {"hours": "0"})
        assert bad.status_code == 400 and "720" in alert(bad)


def test_a_contact_is_changed_on_its_page_and_keeps_its_history(live_server: LiveServer,
                                                                exchange: Exchange) -> None:
    with client_for(live_server, "kz", "ru") as kz, client_for(live_server, "ru") as ru:
        added = post_form(kz, "/workspace/contacts", "/workspace/contacts", {
            "name": "KZ desk", "hours": "24/7", "languages": "kk",
            "channel_kind_0": "email", "channel_value_0": "old@kz-cert.example"})
        assert added.status_code == 303
        found = re.search(r'href="(/workspace/contacts/[0-9a-f-]{36})"',
                          kz.get("/workspace/contacts").text)
        assert found
        page = found.group(1)
        assert 'id="change-form"' not in ru.get(page).text  # only its own body changes it
        changed = post_form(kz, page, page, {
            "name": "KZ desk", "hours": "office", "office_hours": "09-18 UTC+5",
            "languages": "kk ru", "channel_kind_0": "email",
            "channel_value_0": "new@kz-cert.example"})
        assert changed.status_code == 303, changed.text[:2000]
        shown = kz.get(page).text
        history = shown.split('class="contact-history"')[1]
        assert "old@kz-cert.example" in history and "new@kz-cert.example" in history
        assert "В рабочие часы" in shown
        refused = post_form(ru, page, page, {
            "name": "Mine", "hours": "24/7", "languages": "ru", "channel_kind_0": "email",
            "channel_value_0": "x@ru.example"})
        assert refused.status_code == 403 and "Art. 8" in refused.text

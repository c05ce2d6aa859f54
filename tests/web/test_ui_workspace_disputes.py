"""The disputes' pages over real HTTP on both databases (issue 15 item 5; Art. 12): opening a
dispute through the form, the log, the consents to share, the outcome; a Party not concerned is
told "not found" until every Party concerned shared, then sees the subject and outcome without
the log; refusals in the reader's language."""

from __future__ import annotations

import re

import pytest

from tests.conftest import LiveServer
from tests.exchange_support import Exchange
from tests.web.test_ui_workspace import alert, client_for
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import post_form

DISPUTE = re.compile(r"/workspace/disputes/([0-9a-f-]{36})")


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return exchange_with_passwords(live_server.node)


def test_a_dispute_through_the_forms_and_what_others_see(live_server: LiveServer,
                                                         exchange: Exchange) -> None:
    with (client_for(live_server, "kz") as kz, client_for(live_server, "ru", "ru") as ru,
          client_for(live_server, "by", "kk") as by):
        listing = kz.get("/workspace/disputes")
        assert listing.status_code == 200 and 'id="open-form"' in listing.text
        assert 'value="RUS"' in listing.text and 'value="KAZ"' not in listing.text.split(
            'id="d-concerned"')[1]
        made = post_form(kz, "/workspace/disputes", "/workspace/disputes", {
            "subject": "Reading of Art. 6", "matter": "interpretation", "articles": ["6", "12"],
            "concerned": ["RUS"]})
        assert made.status_code == 303, made.text[:2000]
        found = DISPUTE.search(made.headers["location"])
        assert found
        page = f"/workspace/disputes/{found.group(1)}"
        assert by.get(page).status_code == 404
        assert "Reading of Art. 6" not in by.get("/workspace/disputes").text
        logged = post_form(ru, page, f"{page}/log", {
            "means": "negotiations", "held_on": "2026-11-25", "summary": "Secret round"})
        assert logged.status_code == 303, logged.text[:2000]
        late = post_form(ru, page, f"{page}/log", {
            "means": "negotiations", "held_on": "2030-01-01", "summary": "x"})
        assert late.status_code == 400 and "25 ноября 2026" in alert(late)
        shown = ru.get(page).text
        assert "Secret round" in shown and "Переговоры" in shown and 'id="share-form"' in shown
        for client in (kz, ru):
            assert post_form(client, page, f"{page}/share", {}).status_code == 303
        settled = post_form(kz, page, f"{page}/outcome", {"means": "negotiations",
                                                          "text": "One reading agreed"})
        assert settled.status_code == 303
        again = post_form(kz, page, f"{page}/outcome", {"means": "negotiations", "text": "x"})
        assert again.status_code in (200, 422) and 'id="outcome-form"' not in again.text
        outsider = by.get(page)
        assert outsider.status_code == 200 and "One reading agreed" in outsider.text
        assert "Secret round" not in outsider.text and 'id="shared-note"' in outsider.text
        assert "Reading of Art. 6" in by.get("/workspace/disputes").text


def test_a_party_not_in_force_is_refused_in_its_language(live_server: LiveServer,
                                                         exchange: Exchange) -> None:
    with client_for(live_server, "am", "ru") as am:
        refused = post_form(am, "/workspace/disputes", "/workspace/disputes", {
            "subject": "x", "matter": "application", "articles": ["12"],
            "concerned": ["KAZ"]})
        assert refused.status_code == 422
        assert "не действует" in alert(refused) or "Соглашение" in alert(refused)

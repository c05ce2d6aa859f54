"""Consultations through the UI over real HTTP on both databases (issue 15 item 4; Art. 4, 12):
requested, answered, scheduled, the minutes recorded and a follow-up action added and marked
done through the forms, in each language; refusals beside their form in the reader's
language."""

from __future__ import annotations

import re

from tests.conftest import LiveServer
from tests.web.test_ui_workspace import ALERT, client_for
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import post_form

CONSULTATION = re.compile(r"/workspace/consultations/([0-9a-f-]{36})")


def test_a_consultation_through_the_forms(live_server: LiveServer) -> None:
    exchange_with_passwords(live_server.node)
    with client_for(live_server, "kz", "kk") as kz, client_for(live_server, "ru", "ru") as ru, \
            client_for(live_server, "by", "en") as by:
        listing = kz.get("/workspace/consultations")
        assert listing.status_code == 200 and "Консультация сұрау" in listing.text
        refused = post_form(kz, "/workspace/consultations", "/workspace/consultations", {
            "subject": "Markings", "articles": ["6"], "invited": []})
        assert refused.status_code == 400
        found_alert = ALERT.search(refused.text)
        assert found_alert and "басқа Тарапты шақырыңыз" in found_alert.group(1)  # in Kazakh
        made = post_form(kz, "/workspace/consultations", "/workspace/consultations", {
            "subject": "Restricted markings", "articles": ["6", "12"],
            "invited": ["RUS", "BLR"]})
        assert made.status_code == 303, made.text[:2000]
        found = CONSULTATION.search(made.headers["location"])
        assert found
        page = f"/workspace/consultations/{found.group(1)}"
        assert post_form(ru, page, f"{page}/answer", {"answer": "accept"}).status_code == 303
        assert post_form(by, page, f"{page}/answer", {"answer": "decline"}).status_code == 303
        shown = by.get(page)
        assert 'id="answer-form"' not in shown.text  # answered once
        assert "Belarus" in shown.text.split('id="declined"', 1)[1].split("</dd>", 1)[0]
        scheduled = post_form(kz, page, f"{page}/schedule", {
            "date": "2026-11-25", "agenda": "Art. 6 markings\nNext steps", "online": "1"})
        assert scheduled.status_code == 303
        not_invited = post_form(kz, page, f"{page}/minutes", {
            "present": ["KAZ", "BLR"], "minutes": "Met"})
        assert not_invited.status_code == 400  # BLR declined: not present
        minutes = post_form(kz, page, f"{page}/minutes", {
            "present": ["KAZ", "RUS"], "minutes": "Agreed to align markings.",
            "decisions": "Use TLP 2.0\nDraft a rule"})
        assert minutes.status_code == 303
        added = post_form(ru, page, f"{page}/actions", {
            "description": "Draft the rule", "owner": "RUS", "deadline": "2026-11-25"})
        assert added.status_code == 303
        shown = ru.get(page)
        assert "Draft the rule" in shown.text and "Use TLP 2.0" in shown.text
        action = re.search(r'data-action="([0-9a-f-]{36})"', shown.text)
        assert action
        done = post_form(ru, page, f"{page}/actions/{action.group(1)}/done", {})
        assert done.status_code == 303
        assert "Действие отмечено выполненным." in ru.get(done.headers["location"]).text
        again = post_form(ru, page, f"{page}/actions/{action.group(1)}/done", {})
        assert again.status_code == 422
        assert "Это действие уже выполнено." in again.text  # in the reader's language
    with client_for(live_server, "by", "en") as by:
        assert "Restricted markings" in by.get("/workspace/consultations").text

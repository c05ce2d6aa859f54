"""Requests for expert review of R&D work over real HTTP on both databases (issue 15 item 8;
Art. 3 direction 16, Art. 6): the list and the request form in kk, a Party asked assigns an
expert and submits the conclusion through the forms in ru, the requester closes it; a
refusal in the reader's language; a restricted review is "not found" for another Party (en)."""

from __future__ import annotations

import re

from tests.conftest import LiveServer
from tests.web.test_ui_workspace import ALERT, client_for
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import post_form

REVIEW = re.compile(r"/workspace/reviews/([0-9a-f-]{36})")


def test_a_review_through_the_forms_in_each_language(live_server: LiveServer) -> None:
    exchange_with_passwords(live_server.node)
    with client_for(live_server, "kz", "kk") as kz, client_for(live_server, "ru", "ru") as ru:
        assert "ҒЗТКЖ сараптамасы" in kz.get("/workspace").text
        listing = kz.get("/workspace/reviews")
        assert listing.status_code == 200 and 'id="request-form"' in listing.text
        assert "Әзірге сараптама сұралмаған." in listing.text
        refused = post_form(kz, "/workspace/reviews", "/workspace/reviews", {
            "title": "Crypto module", "summary": "R&D.", "asked": "RUS",
            "deadline": "2026-11-25", "directions": ["16"]})
        assert refused.status_code == 400
        alert = ALERT.search(refused.text)
        assert alert and "Қорытындылар мерзімі" in alert.group(1)
        made = post_form(kz, "/workspace/reviews", "/workspace/reviews", {
            "title": "Crypto module", "summary": "A national crypto module.",
            "asked": "RUS", "deadline": "2026-12-25", "directions": ["16"],
            "restricted": "on"})
        assert made.status_code == 303, made.text[:2000]
        found = REVIEW.search(made.headers["location"])
        assert found
        page = f"/workspace/reviews/{found.group(1)}"
        shown = ru.get(page)
        assert shown.status_code == 200 and 'id="assign-form"' in shown.text
        assert 'id="close-form"' not in shown.text  # only the requester closes
        assert post_form(ru, page, f"{page}/experts", {
            "experts": "A. Ivanov | Dr. sc., RU-CERT lab"}).status_code == 303
        shown = ru.get(page)
        assert "A. Ivanov" in shown.text and 'id="conclude-form"' in shown.text
        assert "Заключения пока нет." in shown.text
        expert = re.search(r'data-expert="([0-9a-f-]{36})"', shown.text)
        assert expert
        concluded = post_form(ru, page, f"{page}/conclusions", {
            "expert_id": expert.group(1), "verdict": "supports_with_remarks",
            "text": "Sound; check key sizes."})
        assert concluded.status_code == 303
        assert "Поддерживает с замечаниями" in ru.get(page).text
        early = post_form(ru, page, f"{page}/closure", {"summary": "x"})
        assert early.status_code == 403
        alert = ALERT.search(early.text)
        assert alert and "запросившая Сторона" in alert.group(1)
        assert post_form(kz, page, f"{page}/closure",
                         {"summary": "Supported."}).status_code == 303
        assert "Supported." in kz.get(page).text
    with client_for(live_server, "by", "en") as by:
        assert by.get(page).status_code == 404  # restricted (Art. 6)
        listing = by.get("/workspace/reviews")
        assert "Expert review of R&D work" in listing.text and found.group(1) not in \
            listing.text

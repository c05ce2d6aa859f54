"""Disputes and communication checks in a real browser (issue 15 items 5, 9): Kazakhstan's
analyst opens a dispute with Russia through the form, Russia logs a round of negotiations, both
consent to share, Kazakhstan records the outcome; Kazakhstan adds a point of contact and launches
a check, and the link, opened in a browser that never signed in, is acknowledged with the
button. In each language; console errors fail the test; screenshots under `shots`."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from kelisim.web.ui.i18n import translations
from tests.conftest import LiveServer
from tests.e2e.test_ui_browser import Session, browser, shots  # noqa: F401
from tests.e2e.test_ui_workspace_browser import server, sessions, signed_in  # noqa: F401

# A real browser: part of the slow suites (README, .ci/run runs them too).
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_open_log_share_and_settle_a_dispute(sessions: dict[str, Session],  # noqa: F811
                                             lang: str) -> None:
    _ = translations(lang).gettext
    kz, ru = sessions["kz"].page, sessions["ru"].page
    kz.goto(f"/workspace/disputes?lang={lang}")
    expect(kz.get_by_role("heading", level=1)).to_have_text(_("Disputes (Art. 12)"))
    form = kz.locator("#open-form")
    form.locator("#d-subject").fill(f"Reading of Art. 6 ({lang})")
    form.locator("input[name=articles][value='6']").check()
    form.locator("input[name=concerned][value='RUS']").check()
    form.get_by_role("button", name=_("Open the dispute")).click()
    expect(kz.get_by_role("status")).to_have_text(_(
        "Dispute opened. Only the Parties concerned see it until all of them consent to share "
        "it."))
    dispute = kz.url.split("?")[0]

    ru.goto(f"{dispute}?lang={lang}")
    log = ru.locator("#log-form")
    log.locator("#l-means").select_option("negotiations")
    log.locator("#l-summary").fill("First round in Minsk")
    log.get_by_role("button", name=_("Add to the log")).click()
    expect(ru.get_by_role("status")).to_have_text(_("Entry added to the log."))
    expect(ru.locator("table.dispute-log tbody tr")).to_have_count(1)
    ru.locator("#share-form").get_by_role("button").click()
    kz.reload()
    kz.locator("#share-form").get_by_role("button").click()
    expect(kz.locator("#share-consents .badge.in_force")).to_have_count(2)
    outcome = kz.locator("#outcome-form")
    outcome.locator("#o-text").fill("A common reading of Art. 6 agreed")
    outcome.get_by_role("button", name=_("Record the outcome")).click()
    expect(kz.get_by_role("status")).to_have_text(_("Outcome recorded; the dispute is closed."))
    expect(kz.locator("#log-form")).to_have_count(0)
    sessions["kz"].shot(f"workspace-dispute-{lang}")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_contact_acknowledges_a_check_without_signing_in(
        sessions: dict[str, Session], browser: Browser, server: LiveServer,  # noqa: F811
        shots: Path, lang: str) -> None:  # noqa: F811
    _ = translations(lang).gettext
    kz = sessions["kz"].page
    kz.goto(f"/workspace/contacts?lang={lang}")
    form = kz.locator("#contact-form")
    form.locator("#c-name").fill(f"Duty desk {lang}")
    form.locator("#c-languages").fill("kk ru en")
    form.locator("input[name=channel_value_0]").fill("desk@kz-cert.example")
    form.get_by_role("button", name=_("Add")).click()
    expect(kz.get_by_role("status")).to_have_text(_("Point of contact added."))
    kz.goto(f"/workspace/checks?lang={lang}")
    launch = kz.locator("#launch-form")
    launch.locator("#k-parties").fill("KAZ")
    launch.get_by_role("button", name=_("Launch")).click()
    link = kz.locator("#links code").last.inner_text()
    sessions["kz"].shot(f"workspace-check-{lang}")

    anyone = Session(browser, server, shots)
    try:
        anyone.page.goto(f"{link}?lang={lang}")
        anyone.page.get_by_role("button", name=_("Acknowledge")).click()
        expect(anyone.page.locator("#ack-state")).to_contain_text(
            _("Thank you: your answer is recorded."))
        anyone.shot(f"workspace-check-ack-{lang}")
        assert not anyone.errors, anyone.errors
    finally:
        anyone.close()
    kz.goto(f"/workspace/checks?lang={lang}")
    expect(kz.locator("#report-KAZ")).to_be_visible()

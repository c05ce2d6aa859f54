"""The workspace's notices in a real browser (issue 15 item 10): Russia's analyst joins
Kazakhstan's project; after the worker's pass Kazakhstan's analyst finds the notice in the inbox
in its language (the header's count too), follows its link to the project and marks it read.
Debian's Chromium via Playwright, kelisim on loopback (SQLite; the pass and Art. 6 on both
databases are tests/integration/test_workspace_notifications.py). Screenshots of the inbox in
each language under `shots`."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kelisim.domain.notifications import WORKSPACE_TITLES
from kelisim.services.exchange.worker import notify_subscribers
from kelisim.web.ui.i18n import translations
from tests.conftest import LiveServer
from tests.e2e.test_ui_browser import Session, browser, shots  # noqa: F401
from tests.e2e.test_ui_workspace_browser import server, sessions, signed_in  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_joining_is_found_in_the_inbox_and_leads_to_the_project(
        server: LiveServer, sessions: dict[str, Session], lang: str) -> None:  # noqa: F811
    _ = translations(lang).gettext
    kz, ru = sessions["kz"].page, sessions["ru"].page
    kz.goto(f"/workspace?lang={lang}")
    form = kz.locator("#propose-form")
    form.locator("#p-title").fill(f"Shared catalogue ({lang})")
    form.locator("input[name=directions][value='9']").check()
    form.get_by_role("button", name=_("Propose")).click()
    project = kz.url.split("?")[0]
    ru.goto(f"{project}?lang={lang}")
    ru.locator("#join-form").get_by_role("button").click()
    expect(ru.get_by_role("status")).to_have_text(_("Your Party takes part in it now."))
    notify_subscribers(server.node.runtime)  # what the server's worker does every 30 s

    kz.goto("/inbox")
    row = kz.locator('tr[data-kind="workspace:joined"]').first
    expect(row).to_contain_text(_(WORKSPACE_TITLES["workspace:joined"]))
    expect(row).to_contain_text("RUS")
    expect(kz.locator("#mail-form")).to_be_visible()
    sessions["kz"].shot(f"inbox-workspace-{lang}")
    row.locator("a.workspace-notice").click()
    expect(kz).to_have_url(project)
    expect(kz.get_by_role("heading", level=1)).to_contain_text(f"Shared catalogue ({lang})")
    kz.goto("/inbox")
    kz.locator('tr[data-kind="workspace:joined"]').first.get_by_role(
        "button", name=_("Mark read")).click()
    expect(kz.locator('tr[data-kind="workspace:joined"]').first).to_contain_text(_("Read"))

"""Amendments to the Agreement in a real browser (issue 15 item 6; Art. 11): Kazakhstan's
analyst proposes amendments through the form (a second row added), Russia's analyst consents
on the proposal's page; the consent shows who and when, and Belarus is still awaited. In each
language; console errors fail the test; the English page is saved as
docs/screenshots/workspace-amendment-en.png (README, workspace section)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kelisim.web.ui.i18n import translations
from tests.e2e.test_ui_browser import Session, browser, shots  # noqa: F401
from tests.e2e.test_ui_workspace_browser import server, sessions, signed_in  # noqa: F401

# A real browser: part of the slow suites (README, .ci/run runs them too).
pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLES = {"kk": "Келісімнің 8-бабына өзгерістер", "ru": "Изменения в статью 8 Соглашения",
          "en": "Amendments to Art. 8 of the Agreement"}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_propose_amendments_and_another_party_consents(sessions: dict[str, Session],  # noqa: F811
                                                       lang: str) -> None:
    _ = translations(lang).gettext
    kz, ru = sessions["kz"].page, sessions["ru"].page
    kz.goto(f"/workspace?lang={lang}")
    kz.locator("#amendments-link").click()
    expect(kz.get_by_role("heading", level=1)).to_have_text(_("Amendments to the Agreement"))
    form = kz.locator("#propose-form")
    for code in ("kk", "ru", "en"):
        form.locator(f"#p-title-{code}").fill(f"{TITLES[code]} ({lang})")
    form.locator("#a0-article").fill("8")
    form.locator("#a0-action").select_option("replace")
    form.locator("#a0-text-kk").fill("8-бап жаңа редакцияда.")
    form.locator("#a0-text-ru").fill("Статья 8 в новой редакции.")
    form.locator("#a0-text-en").fill("Article 8 as amended.")
    form.get_by_role("button", name=_("Add an amendment")).click()
    form = kz.locator("#propose-form")
    expect(form.locator("fieldset.amendment")).to_have_count(2)
    form.locator("#a1-article").fill("10")
    form.locator("#a1-action").select_option("repeal")
    form.locator("#p-note").fill("Art. 8 lists by electronic means; Art. 10 is spent.")
    form.locator("#propose-button").click()
    expect(kz.get_by_role("status").first).to_have_text(_("Recorded."))
    expect(kz.get_by_role("heading", level=1)).to_contain_text(f"{TITLES[lang]} ({lang})")
    expect(kz.locator("#consent-form")).to_have_count(0)  # proposing is consenting
    proposal = kz.url.split("?")[0]

    ru.goto(f"{proposal}?lang={lang}")
    expect(ru.locator("tr[data-awaited='RUS']")).to_have_count(1)
    ru.locator("#m-text").fill("Согласны.")
    ru.get_by_role("button", name=_("Send the remark")).click()
    expect(ru.locator("ol.remarks li")).to_have_count(1)
    ru.locator("#consent-button").click()
    expect(ru.locator("tr[data-consent='RUS']")).to_contain_text("RU analyst")
    expect(ru.locator("#consent-form")).to_have_count(0)
    kz.reload()
    expect(kz.locator("tr[data-consent='RUS']")).to_have_count(1)
    expect(kz.locator("tr[data-awaited='BLR']")).to_have_count(1)
    sessions["kz"].shot(f"workspace-amendment-{lang}")
    if lang == "en":
        DOCS.mkdir(parents=True, exist_ok=True)
        kz.screenshot(path=str(DOCS / "workspace-amendment-en.png"), full_page=True)
    kz.goto(f"/workspace/amendments?lang={lang}")
    row = kz.locator(f"tr[data-proposal='{proposal.rsplit('/', 1)[1]}']")
    expect(row).to_contain_text(_("consents awaited"))

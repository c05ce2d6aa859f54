"""Circulate a document and comment, in a real browser (issue 15 item 3), in each language:
Kazakhstan's analyst uploads a PDF draft through the project page's form, circulates it;
Russia's comments and agrees; Kazakhstan agrees and the document is agreed, then adopts it.
Debian's Chromium via Playwright, kelisim on loopback (the server and signed-in tabs of
tests/e2e/test_ui_workspace_browser.py). Console errors fail the test; a screenshot of the
document page in each language is saved (`shots`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kelisim.web.ui.i18n import translations
from tests.e2e.test_ui_browser import Session, browser, shots  # noqa: F401
from tests.e2e.test_ui_workspace_browser import server, sessions, signed_in  # noqa: F401
from tests.workspace_documents_support import pdf

# A real browser: part of the slow suites (README, .ci/run runs them too).
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_circulate_a_document_and_comment(sessions: dict[str, Session],  # noqa: F811
                                          lang: str, tmp_path: Path) -> None:
    _ = translations(lang).gettext
    kz, ru = sessions["kz"].page, sessions["ru"].page
    kz.goto(f"/workspace?lang={lang}")
    form = kz.locator("#propose-form")
    form.locator("#p-title").fill(f"Model law ({lang})")
    form.locator("input[name=directions][value='2']").check()
    form.get_by_role("button", name=_("Propose")).click()
    project = kz.url.split("?")[0]
    ru.goto(f"{project}?lang={lang}")
    ru.locator("#join-form").get_by_role("button").click()
    expect(ru.get_by_role("status")).to_have_text(_("Your Party takes part in it now."))

    draft = tmp_path / f"draft-{lang}.pdf"
    draft.write_bytes(pdf(f"Model law draft {lang}"))
    kz.reload()
    upload = kz.locator("#document-form")
    upload.locator("#d-title").fill(f"Draft model law ({lang})")
    upload.locator("#d-language").select_option(lang)
    upload.locator("#d-file").set_input_files(str(draft))
    upload.get_by_role("button", name=_("Upload the draft")).click()
    expect(kz.get_by_role("status")).to_have_text(_("Draft uploaded as version 1."))
    expect(kz.locator("code.sha256")).to_have_text(
        hashlib.sha256(draft.read_bytes()).hexdigest())
    kz.locator("#circulate-form").get_by_role("button").click()
    expect(kz.get_by_role("status")).to_have_text(
        _("Circulated to the other Parties' authorized bodies."))
    document = kz.url.split("?")[0]

    ru.goto(f"{project}?lang={lang}")
    ru.get_by_role("link", name=f"Draft model law ({lang})").click()
    expect(ru.locator("#document-state")).to_have_text(_("circulated for comment"))
    ru.locator("#c-text").fill("Article 2: define the term")
    ru.locator("#comment-form").get_by_role("button", name=_("Send the comment")).click()
    expect(ru.get_by_role("status")).to_have_text(_("Your Party's comment is recorded."))
    expect(ru.locator("#comments-RUS .comment")).to_contain_text("Article 2: define the term")
    ru.locator("#agree-form").get_by_role("button").click()
    expect(ru.get_by_role("status")).to_have_text(_("Your Party's agreement is recorded."))

    kz.goto(f"{document}?lang={lang}")
    expect(kz.locator("#comments-RUS .comment")).to_contain_text("Article 2: define the term")
    kz.locator("#agree-form").get_by_role("button").click()
    expect(kz.locator("#document-state")).to_have_text(_("agreed"))
    kz.locator("#adopt-form").get_by_role("button").click()
    expect(kz.locator("#document-state")).to_have_text(_("adopted"))
    expect(kz.locator(".agreements .badge")).to_have_text([_("agreed")] * 2)
    sessions["kz"].shot(f"workspace-document-{lang}")

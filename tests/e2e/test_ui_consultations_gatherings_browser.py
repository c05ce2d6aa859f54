"""Consultations and gatherings in a real browser (issue 15 items 4 and 8; Art. 3 directions
16-19, Art. 4, 9, 12): Kazakhstan's analyst requests a consultation with Russia, Russia accepts,
Kazakhstan schedules it and records the minutes with a decision, Russia adds a follow-up action
and marks it done; Kazakhstan announces a training course, Russia registers two participants
and Kazakhstan sees them. In each language; console errors fail the test; the English pages are
saved as docs/screenshots/workspace-consultation-en.png and workspace-gathering-en.png."""

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


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_consultation_from_request_to_a_follow_up_action_done(
        sessions: dict[str, Session], lang: str) -> None:  # noqa: F811
    _ = translations(lang).gettext
    kz, ru = sessions["kz"].page, sessions["ru"].page
    subject = f"Restricted markings ({lang})"
    kz.goto(f"/workspace/consultations?lang={lang}")
    form = kz.locator("#request-form")
    form.locator("#c-subject").fill(subject)
    form.locator("input[name=articles][value='6']").check()
    form.locator("input[name=invited][value='RUS']").check()
    form.get_by_role("button").click()
    expect(kz.get_by_role("status").first).to_have_text(
        _("Requested. The Parties invited are asked to answer."))
    expect(kz.get_by_role("heading", level=1)).to_have_text(subject)
    page = kz.url.split("?")[0]

    ru.goto(f"{page}?lang={lang}")
    ru.locator("#answer-form button[value=accept]").click()
    expect(ru.get_by_role("status").first).to_have_text(_("Your Party's answer is recorded."))
    expect(ru.locator("#answer-form")).to_have_count(0)

    kz.goto(f"{page}?lang={lang}")
    schedule = kz.locator("#schedule-form")
    schedule.locator("#s-date").fill("2026-11-25")
    schedule.locator("#s-agenda").fill("Art. 6 markings\nNext steps")
    schedule.locator("input[name=online]").check()
    schedule.get_by_role("button", name=_("Schedule")).click()
    expect(kz.get_by_role("status").first).to_have_text(
        _("The agenda, date and place are recorded."))
    minutes = kz.locator("#minutes-form")
    minutes.locator("#m-minutes").fill("Agreed to align the markings.")
    minutes.locator("#m-decisions").fill("Use TLP 2.0\nDraft a rule")
    minutes.get_by_role("button", name=_("Record the minutes")).click()
    expect(kz.get_by_role("status").first).to_have_text(_("The minutes are recorded."))
    expect(kz.locator("ol.decisions li")).to_have_count(2)

    ru.goto(f"{page}?lang={lang}")
    action = ru.locator("#action-form")
    action.locator("#a-description").fill("Draft the rule")
    action.locator("#a-owner").select_option("RUS")
    action.locator("#a-deadline").fill("2026-12-20")
    action.get_by_role("button", name=_("Add the action")).click()
    expect(ru.get_by_role("status").first).to_have_text(_("Action added."))
    row = ru.locator("table.follow-up tr[data-action]")
    expect(row).to_contain_text("Draft the rule")
    row.get_by_role("button", name=_("Mark done")).click()
    expect(ru.get_by_role("status").first).to_have_text(_("Action marked done."))
    expect(ru.locator("table.follow-up tr[data-action] button")).to_have_count(0)
    kz.reload()
    expect(kz.locator("#accepted")).not_to_have_text("—")
    expect(kz.locator("table.follow-up tr[data-action]")).to_contain_text("Draft the rule")
    sessions["kz"].shot(f"workspace-consultation-{lang}")
    if lang == "en":
        DOCS.mkdir(parents=True, exist_ok=True)
        kz.screenshot(path=str(DOCS / "workspace-consultation-en.png"), full_page=True)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_training_course_announced_and_another_party_registers(
        sessions: dict[str, Session], lang: str) -> None:  # noqa: F811
    _ = translations(lang).gettext
    kz, ru = sessions["kz"].page, sessions["ru"].page
    title = f"Incident handling course ({lang})"
    kz.goto(f"/workspace/gatherings?lang={lang}")
    form = kz.locator("#announce-form")
    form.locator("#g-kind").select_option("training")
    form.locator("#g-title").fill(title)
    form.locator("#g-description").fill("Two days of exercises on shared incidents.")
    form.locator("#g-starts").fill("2026-12-10T10:00")
    form.locator("#g-ends").fill("2026-12-11T17:00")
    form.locator("#g-until").fill("2026-12-05")
    form.locator("#g-place").fill("Astana")
    form.locator("input[name=directions][value='17']").check()
    form.get_by_role("button", name=_("Announce")).click()
    expect(kz.get_by_role("status").first).to_have_text(
        _("Announced. The Parties' authorized bodies may register their participants."))
    expect(kz.get_by_role("heading", level=1)).to_contain_text(title)
    page = kz.url.split("?")[0]

    ru.goto(f"{page}?lang={lang}")
    register = ru.locator("#register-form")
    register.locator("#r-participants").fill("Ivan Petrov — analyst\nAnna Sidorova")
    register.get_by_role("button", name=_("Register")).click()
    expect(ru.get_by_role("status").first).to_have_text(
        _("Your Party's participants are registered."))
    kz.reload()
    registered = kz.locator("table.registrations tr[data-party='RUS'] li")
    expect(registered).to_have_count(2)
    expect(registered.first).to_contain_text("Ivan Petrov")
    sessions["kz"].shot(f"workspace-gathering-{lang}")
    if lang == "en":
        DOCS.mkdir(parents=True, exist_ok=True)
        kz.screenshot(path=str(DOCS / "workspace-gathering-en.png"), full_page=True)
    kz.goto(f"/workspace/gatherings?lang={lang}")
    expect(kz.get_by_text(title)).to_be_visible()

"""The cooperation workspace in a real browser (issue 15): Kazakhstan's analyst proposes a
project, Russia's joins, Kazakhstan adds a stage, both consent and the deadline is agreed, in
each language. Debian's Chromium via Playwright, kelisim on loopback (SQLite;
tests/web/test_ui_workspace.py covers the pages and refusals on both databases over HTTP).
Console errors fail the test; screenshots of the list and the project page in each language
are saved under the test's temporary directory (`shots`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.config import Settings
from kelisim.domain.clock import FixedClock
from kelisim.services.bootstrap import initialize
from kelisim.services.depositary import record_entries
from kelisim.services.runtime import build_runtime
from kelisim.storage.database import make_engine, upgrade
from kelisim.web.app import create_app
from kelisim.web.ui.i18n import translations
from tests.conftest import TODAY, LiveServer, Node, serving
from tests.e2e.test_ui_browser import Session, browser, shots  # noqa: F401
from tests.exchange_support import founding_history
from tests.web.ui_session import account

# A real browser: part of the slow suites (README, .ci/run runs them too).
pytestmark = pytest.mark.slow

ANALYSTS = {"kz": ("KZ analyst", "KAZ"), "ru": ("RU analyst", "RUS")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One node (SQLite) for the three languages: each run proposes its own project, so the
    runs share only the Parties and their analysts (in force since 31 May 2014)."""
    data = tmp_path_factory.mktemp("workspace-node")
    url = f"sqlite:///{data / 'kelisim.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    clock = FixedClock(TODAY)
    rt = build_runtime(Settings(database_url=url, data_dir=data), clock=clock)
    admin = initialize(rt)
    assert admin is not None
    record_entries(rt, LOCAL_OPERATOR, founding_history())
    for name, party in ANALYSTS.values():
        account(rt, name, "analyst", party)
    with serving(create_app(runtime=rt)) as base_url:
        yield LiveServer(base_url, Node(rt, clock, admin["token"]))
    rt.close()


@pytest.fixture(scope="module")
def signed_in(browser: Browser, server: LiveServer,  # noqa: F811
              shots: Path) -> Iterator[dict[str, Session]]:  # noqa: F811
    """Kazakhstan's and Russia's analysts, each signed in in its own browser context."""
    opened = {}
    for who, (name, _party) in ANALYSTS.items():
        opened[who] = session = Session(browser, server, shots)
        session.sign_in(name)
        expect(session.page.get_by_role("heading", level=1)).to_be_visible()
    yield opened
    for session in opened.values():
        session.close()


@pytest.fixture
def sessions(signed_in: dict[str, Session]) -> Iterator[dict[str, Session]]:
    """The signed-in tabs; any console error during the test fails it."""
    yield signed_in
    errors = [e for s in signed_in.values() for e in s.errors]
    for session in signed_in.values():
        session.errors.clear()
    assert not errors, errors


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_propose_join_and_agree_a_deadline(sessions: dict[str, Session], lang: str) -> None:
    _ = translations(lang).gettext
    kz, ru = sessions["kz"].page, sessions["ru"].page
    kz.goto(f"/workspace?lang={lang}")
    expect(kz.locator("html")).to_have_attribute("lang", lang)
    expect(kz.get_by_role("heading", level=1)).to_have_text(_("Cooperation workspace"))
    form = kz.locator("#propose-form")
    form.locator("#p-title").fill(f"Incident reporting ({lang})")
    form.locator("#p-goals").fill("A common form for reporting incidents")
    form.locator("input[name=directions][value='5']").check()
    form.get_by_role("button", name=_("Propose")).click()
    expect(kz.get_by_role("status")).to_have_text(
        _("Proposed. Your Party leads it and takes part in it."))
    project = kz.url.split("?")[0]

    ru.goto(f"{project}?lang={lang}")
    ru.locator("#join-form").get_by_role("button").click()
    expect(ru.get_by_role("status")).to_have_text(_("Your Party takes part in it now."))

    kz.reload()
    stage = kz.locator("#stage-form")
    stage.locator("#s-title").fill("Collect and exchange information")
    stage.locator("#s-deadline").fill("2027-06-30")
    stage.get_by_role("button", name=_("Add the stage")).click()
    kz.locator(".consent-form").get_by_role("button").click()
    expect(kz.get_by_role("status")).to_have_text(_("Your Party's consent is recorded."))
    expect(kz.locator("#stage-1 .not-agreed")).to_have_text(_("not agreed yet"))

    ru.reload()
    ru.locator(".consent-form").get_by_role("button").click()
    expect(ru.locator("#stage-1 .agreed")).to_have_text(_("deadline agreed"))
    expect(ru.locator("#stage-1 .consents .badge")).to_have_text([_("consented")] * 2)
    expect(ru.locator("svg.stage-timeline rect.stage-agreed")).to_have_count(1)
    sessions["ru"].shot(f"workspace-project-{lang}")
    ru.goto("/workspace")
    expect(ru.get_by_role("row", name=f"Incident reporting ({lang})")).to_be_visible()
    sessions["ru"].shot(f"workspace-{lang}")

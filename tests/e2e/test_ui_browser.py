"""The web UI in a real browser: Debian's Chromium driven by Playwright, kelisim on loopback.

Nothing downloads a browser: Playwright launches /usr/bin/chromium (scripts/test installs it on a
fresh machine). Browser tests run on SQLite only; tests/web/test_ui_*.py cover the same pages on
both databases over HTTP. Every page visited is checked for console errors, and screenshots of
the main pages in each language are saved under the test's temporary directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.services.depositary import record_entries
from kelisim.storage.database import make_engine, upgrade
from tests.conftest import LiveServer
from tests.web.ui_session import HISTORY, PASSWORD, account

# A real browser: part of the slow suites (README, .ci/run runs them too).
pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only for browser tests (the HTTP page tests run on both databases)."""
    url = f"sqlite:///{tmp_path / 'kelisim.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "run scripts/test (as root it installs Debian's chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


class Session:
    """A browser tab on the live server that fails the test on any console error."""

    def __init__(self, browser: Browser, server: LiveServer, shots: Path) -> None:
        self.context = browser.new_context(base_url=server.base_url, locale="en-US",
                                           viewport={"width": 1280, "height": 900})
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.shots = shots

    def sign_in(self, name: str, password: str = PASSWORD) -> None:
        self.page.goto("/signin")
        self.page.get_by_label("Account name or number").fill(name)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=False)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Browser, live_server: LiveServer, shots: Path) -> Iterator[Session]:
    record_entries(live_server.node.runtime, LOCAL_OPERATOR, HISTORY)
    account(live_server.node.runtime, "Depositary officer", "depositary")
    session = Session(browser, live_server, shots)
    yield session
    errors = session.errors
    session.close()
    assert not errors, errors


def test_sign_in_and_out(tab: Session) -> None:
    tab.page.goto("/status")
    assert tab.page.url.endswith("/signin?next=%2Fstatus")
    tab.sign_in("Depositary officer", "wrong password!")
    expect(tab.page.get_by_role("alert")).to_contain_text("password is wrong")
    tab.page.get_by_label("Password").fill(PASSWORD)
    tab.page.get_by_role("button", name="Sign in").click()
    expect(tab.page.get_by_role("heading", level=1)).to_contain_text("Status on")
    tab.page.get_by_role("button", name="Sign out").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_switching_language_changes_the_page_and_is_remembered(tab: Session) -> None:
    tab.sign_in("Depositary officer")
    for lang, heading, nav in (("kk", "мәртебе", "Келісім"), ("ru", "Статус на", "Соглашение"),
                               ("en", "Status on", "The Agreement")):
        tab.page.get_by_role("link", name={"kk": "Қазақша", "ru": "Русский",
                                           "en": "English"}[lang]).click()
        expect(tab.page.locator("html")).to_have_attribute("lang", lang)
        expect(tab.page.get_by_role("heading", level=1)).to_contain_text(heading)
        tab.page.get_by_role("link", name=nav).click()
        expect(tab.page.locator("html")).to_have_attribute("lang", lang)
        tab.page.go_back()


def test_the_depositary_records_a_notification_and_status_and_timeline_change(
        tab: Session) -> None:
    tab.sign_in("Depositary officer")
    tab.page.goto("/status?on=2014-12-01")
    arm = tab.page.get_by_role("row", name="Armenia")
    expect(arm).to_contain_text("signatory")
    diamonds = tab.page.locator("svg.timeline polygon").count()
    tab.page.goto("/depositary")
    form = tab.page.locator("#form-notification")
    form.locator("summary").click()
    form.get_by_label("State").select_option("ARM")
    form.get_by_label("Received by the depositary").fill("2014-10-01")
    form.get_by_label("Authorized bodies (Art. 8), one per line").fill("AM-CERT")
    form.get_by_role("button", name="Record").click()
    expect(tab.page.get_by_role("status").first).to_contain_text("Entry 8 recorded")
    tab.page.goto("/status?on=2014-12-01")
    expect(tab.page.get_by_role("row", name="Armenia")).to_contain_text("in force")
    assert tab.page.locator("svg.timeline polygon").count() == diamonds + 1
    tab.page.get_by_role("link", name="Armenia").click()
    expect(tab.page.get_by_role("heading", level=1)).to_contain_text("Armenia")
    expect(tab.page.get_by_role("cell", name="AM-CERT")).to_be_visible()


def test_a_form_posted_without_its_csrf_token_is_refused(tab: Session) -> None:
    tab.sign_in("Depositary officer")
    tab.page.goto("/depositary")
    form = tab.page.locator("#form-signature")
    form.get_by_label("State").select_option("UZB")
    form.get_by_label("Date of signature").fill("2013-11-20")
    form.locator("input[name=csrf_token]").evaluate("e => e.remove()")
    form.get_by_role("button", name="Record").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("This form cannot be accepted")
    tab.errors.clear()  # the browser logs the 403 itself; that is the point of this test
    tab.page.goto("/depositary")
    expect(tab.page.locator("table.ledger")).not_to_contain_text("UZB")


def test_sign_in_is_throttled_after_five_failures(tab: Session) -> None:
    for _ in range(5):
        tab.sign_in("Depositary officer", "a wrong guess")
    tab.sign_in("Depositary officer")
    expect(tab.page.get_by_role("alert")).to_contain_text("Too many sign-in attempts")
    tab.errors.clear()  # 401/429 responses are logged by the browser as resource errors


def test_screenshots_of_the_main_pages_in_each_language(tab: Session) -> None:
    tab.sign_in("Depositary officer")
    for lang in ("kk", "ru", "en"):
        for name, path in (("status", "/status?on=2016-01-01"), ("agreement", "/agreement"),
                           ("party", "/status/parties/KAZ?on=2016-01-01"),
                           ("depositary", "/depositary"), ("accounts", "/accounts")):
            tab.page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            expect(tab.page.locator("html")).to_have_attribute("lang", lang)
            tab.shot(f"{name}-{lang}")
    tab.page.context.clear_cookies()
    tab.page.goto("/signin?lang=kk")
    tab.shot("signin-kk")
    assert len(list(tab.shots.glob("*.png"))) >= 16


def test_api_docs_render_from_this_server_alone(browser: Browser, live_server: LiveServer) -> None:
    """Swagger UI draws the operations with every request kept on the node (no CDN; issue 17)."""
    context = browser.new_context(base_url=live_server.base_url)
    page = context.new_page()
    elsewhere: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    def keep_local(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(live_server.base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", keep_local)
    page.goto("/api/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/depositary/entries")
           .first).to_be_visible(timeout=15_000)
    assert elsewhere == []
    assert errors == []
    context.close()

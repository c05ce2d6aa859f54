"""The exchange and the certification registry in a real browser: Debian's Chromium driven by
Playwright, kelisim on loopback (SQLite; tests/web/test_ui_exchange.py and test_ui_certification.py
cover the same pages on both databases over HTTP). Every page visited is checked for console
errors; screenshots of the new pages in each language are saved under the test's temporary
directory (`shots`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from kelisim.services import depositary
from kelisim.services.certification import recording
from tests.conftest import LiveServer
from tests.e2e.test_ui_browser import Session, browser, database_url, shots  # noqa: F401
from tests.exchange_support import Exchange, indicator, restricted_marking
from tests.integration.certification_setup import issue, make_registry
from tests.integration.test_exchange_sightings_graph import sighting
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords, post
from tests.web.ui_session import account

# A real browser: part of the slow suites (README, .ci/run runs them too).
pytestmark = pytest.mark.slow

LANGS = ("kk", "ru", "en")


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    found = exchange_with_passwords(live_server.node)
    marking = restricted_marking("KAZ", ["RUS"])
    green = indicator("open green indicator")
    post(live_server.node, found.principals["kz"], found.collection_id, [
        green, indicator("amber for RUS", tlp="amber", recipients={"parties": ["RUS"]}),
        marking, indicator("restricted KAZ data", markings=[marking["id"]]),
        sighting(green["id"], count=3), sighting(green["id"], kind="false-positive")])
    return found


@pytest.fixture
def tabs(browser: Browser, live_server: LiveServer,  # noqa: F811
         shots: Path) -> Iterator[list[Session]]:  # noqa: F811
    """Browser tabs (one context each, so each signs in as its own account)."""
    opened: list[Session] = []
    yield opened
    errors = [e for s in opened for e in s.errors]
    for session in opened:
        session.close()
    assert not errors, errors


def tab(tabs: list[Session], browser: Browser, live_server: LiveServer,  # noqa: F811
        shots: Path, who: str | None = None) -> Session:  # noqa: F811
    session = Session(browser, live_server, shots)
    tabs.append(session)
    if who:
        session.sign_in(who)
        expect(session.page.get_by_role("heading", level=1)).to_be_visible()
    return session


def test_an_indicator_posted_by_one_party_is_found_by_another(
        exchange: Exchange, tabs: list[Session], browser: Browser,  # noqa: F811
        live_server: LiveServer, shots: Path) -> None:  # noqa: F811
    kz = tab(tabs, browser, live_server, shots, NAMES["kz"])
    kz.page.get_by_role("link", name="Exchange", exact=True).first.click()
    kz.page.get_by_role("link", name="Post to this collection").click()
    expect(kz.page.get_by_role("heading", level=1)).to_have_text("Post to the exchange")
    kz.page.get_by_label("Name", exact=True).fill("Phishing domain, week 48")
    kz.page.get_by_label("Pattern (STIX patterning)").fill("[domain-name:value = 'phish")
    kz.page.locator("input[name=directions][value='9']").check()
    kz.page.get_by_label("Threat class (Art. 2)").select_option("information_crime")
    kz.page.get_by_role("button", name="Post", exact=True).click()
    expect(kz.page.get_by_role("alert").first).to_contain_text("not valid STIX patterning")
    kz.errors.clear()  # the 400 of the refused form is logged by the browser
    kz.page.get_by_label("Pattern (STIX patterning)").fill(
        "[domain-name:value = 'phish.example']")
    kz.page.get_by_role("button", name="Post", exact=True).click()
    expect(kz.page.get_by_role("status").first).to_contain_text("Posted to the exchange")
    expect(kz.page.locator(".marking").first).to_contain_text("TLP:GREEN")
    ru = tab(tabs, browser, live_server, shots, NAMES["ru"])
    ru.page.goto("/exchange")
    ru.page.get_by_role("link", name="Exchange", exact=True).last.click()
    ru.page.get_by_label("Producer Party").select_option("KAZ")
    ru.page.get_by_label("Type").select_option("indicator")
    ru.page.get_by_role("button", name="Filter").click()
    ru.page.get_by_role("link", name="Phishing domain, week 48").click()
    expect(ru.page.get_by_role("heading", level=1)).to_contain_text("Phishing domain, week 48")
    expect(ru.page.locator("dl.facts")).to_contain_text("phish.example")


def test_a_restricted_object_is_invisible_to_a_party_not_named(
        exchange: Exchange, tabs: list[Session], browser: Browser,  # noqa: F811
        live_server: LiveServer, shots: Path) -> None:  # noqa: F811
    ru = tab(tabs, browser, live_server, shots, NAMES["ru"])
    ru.page.goto(f"/exchange/collections/{exchange.collection_id}")
    ru.page.get_by_role("link", name="restricted KAZ data").click()
    expect(ru.page.get_by_role("note", name="Restricted access")).to_contain_text(
        "Restricted access — Art. 6")
    expect(ru.page.get_by_role("note", name="Restricted access")).to_contain_text(
        "Russian Federation")
    hidden_url = ru.page.url
    by = tab(tabs, browser, live_server, shots, NAMES["by"])
    by.page.goto(f"/exchange/collections/{exchange.collection_id}")
    expect(by.page.locator("table.objects")).to_contain_text("open green indicator")
    expect(by.page.locator("table.objects")).not_to_contain_text("restricted KAZ data")
    expect(by.page.locator("table.objects")).not_to_contain_text("amber for RUS")
    by.page.goto(f"/exchange/collections/{exchange.collection_id}?type=indicator")
    assert by.page.locator("table.objects tbody tr").count() == 1
    by.page.goto(hidden_url)
    expect(by.page.get_by_role("heading", level=1)).to_have_text("Not found")
    by.errors.clear()  # the 404 is logged by the browser; that is the point


def test_a_withdrawn_partys_analyst_is_refused_from_the_effective_date(
        exchange: Exchange, tabs: list[Session], browser: Browser,  # noqa: F811
        live_server: LiveServer, shots: Path) -> None:  # noqa: F811
    node = live_server.node
    depositary.record_entries(node.runtime, exchange.admin, [
        {"kind": "withdrawal_notice", "party": "BLR", "received": "2026-06-01",
         "withdrawal_date": "2026-12-01"}])
    node.clock.now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    try:
        by = tab(tabs, browser, live_server, shots, NAMES["by"])
        by.page.goto("/exchange")
        expect(by.page.get_by_role("heading", level=1)).to_have_text("Exchange")
        node.clock.now = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # the same session
        by.page.reload()
        expect(by.page.get_by_role("heading", level=1)).to_have_text("Permission denied")
        expect(by.page.get_by_role("alert")).to_contain_text("Art. 6")
        expect(by.page.get_by_role("navigation", name="Main")).not_to_contain_text("Exchange")
        by.errors.clear()  # the 403 is logged by the browser; that is the point
    finally:
        node.clock.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_bundle_upload_shows_its_progress_and_status(
        exchange: Exchange, tabs: list[Session], browser: Browser,  # noqa: F811
        live_server: LiveServer, shots: Path, tmp_path: Path) -> None:  # noqa: F811
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"type": "bundle", "id": "bundle--0f6b4c1e-8d4f-4a52-9c1e-"
                                  "2b7d3e4f5a6b", "objects": [indicator(f"bulk {n}")
                                                              for n in range(40)]}))
    kz = tab(tabs, browser, live_server, shots, NAMES["kz"])
    kz.page.goto(f"/exchange/collections/{exchange.collection_id}/submit")
    kz.page.get_by_label("A JSON file: a STIX 2.1 bundle or a TAXII envelope").set_input_files(
        str(bundle))
    kz.page.get_by_role("button", name="Upload", exact=True).click()
    expect(kz.page.get_by_role("heading", level=1)).to_have_text("Status of a submission")
    expect(kz.page.locator("#status")).to_contain_text("Done: 40 of 40 objects")
    assert kz.page.locator("#progress").get_attribute("value") == "40"


def test_screenshots_of_the_exchange_pages_in_each_language(
        exchange: Exchange, tabs: list[Session], browser: Browser,  # noqa: F811
        live_server: LiveServer, shots: Path) -> None:  # noqa: F811
    ru = tab(tabs, browser, live_server, shots, NAMES["ru"])
    ru.page.goto(f"/exchange/collections/{exchange.collection_id}")
    restricted = ru.page.get_by_role("link", name="restricted KAZ data").get_attribute("href")
    amber = ru.page.get_by_role("link", name="amber for RUS").get_attribute("href")
    green = ru.page.get_by_role("link", name="open green indicator").get_attribute("href")
    ru.page.goto(str(green))
    expect(ru.page.locator("svg.graph")).to_be_visible()  # its two sightings name it
    expect(ru.page.locator("table.sightings")).to_contain_text("Kazakhstan")
    status_id = post(live_server.node, exchange.principals["kz"], exchange.collection_id,
                     [indicator("for the status page")])["id"]
    admin = tab(tabs, browser, live_server, shots, NAMES["kz_admin"])
    for lang in LANGS:
        for who, name, path in (
                (ru, "exchange", "/exchange"),
                (ru, "exchange-objects", f"/exchange/collections/{exchange.collection_id}"),
                (ru, "exchange-restricted", restricted), (ru, "exchange-amber", amber),
                (ru, "exchange-sightings-graph", green),
                (ru, "exchange-submit",
                 f"/exchange/collections/{exchange.collection_id}/submit"),
                (admin, "exchange-status", f"/exchange/status/{status_id}"),
                (admin, "exchange-audit", "/exchange/audit")):
            who.page.goto(f"{path}{'&' if '?' in str(path) else '?'}lang={lang}")
            expect(who.page.locator("html")).to_have_attribute("lang", lang)
            who.shot(f"{name}-{lang}")
    assert len(list(shots.glob("exchange-*.png"))) >= 24
    ru.page.goto(f"{green}?lang=en")  # the README's picture: where else, and the graph
    expect(ru.page.locator("svg.graph")).to_be_visible()
    ru.page.screenshot(path=str(shots / "exchange-object-full-en.png"), full_page=True)


@pytest.fixture
def registry(live_server: LiveServer) -> None:
    found = make_registry(live_server.node)
    issue(found, "KZ-PUB", "KZ-CC", level="EAL2")
    issue(found, "RU/2022/7", "RU-FSTEC", document="FSTEC-UD", level="4",
          issued="2022-02-01", expires="2027-02-01")
    issue(found, "KZ-SUSP", "KZ-CC", vendor="Steppe Soft")
    recording.record_event(live_server.node.runtime, found.certifiers["KAZ"], "KZ-SUSP",
                           "suspended", {"on": "2024-05-01", "reason": "under review"})
    account(live_server.node.runtime, "KZ reader", "reader", "KAZ")


def test_verify_a_certificate_signed_in_and_on_the_public_page(
        registry: None, tabs: list[Session], browser: Browser,  # noqa: F811
        live_server: LiveServer, shots: Path) -> None:  # noqa: F811
    reader = tab(tabs, browser, live_server, shots, "KZ reader")
    reader.page.get_by_role("link", name="Certification").first.click()
    reader.page.get_by_label("Product or vendor").fill("product kz-pub")
    reader.page.get_by_role("button", name="Search").click()
    reader.page.get_by_role("link", name="KZ-PUB").click()
    expect(reader.page.get_by_role("heading", level=1)).to_have_text("Certificate KZ-PUB")
    reader.page.get_by_label("Party").select_option("RUS")
    reader.page.get_by_label("Date").fill("2025-01-01")
    reader.page.get_by_role("button", name="Verify").click()
    expect(reader.page.get_by_role("status")).to_contain_text(
        "Valid in Russian Federation on January 1, 2025")
    expect(reader.page.locator("ol.reasons")).to_contain_text("Recognised")
    public = tab(tabs, browser, live_server, shots)
    public.page.goto("/verify/KZ-PUB?lang=kk")
    expect(public.page.get_by_role("heading", level=1)).to_contain_text("KZ-PUB")
    public.page.locator("#v-in").select_option("ARM")
    public.page.locator("#v-on").fill("2025-01-01")
    public.page.locator("form.verify button").click()
    expect(public.page.locator("html")).to_have_attribute("lang", "kk")
    expect(public.page.locator(".verdict-box")).to_contain_text("жарамсыз")
    expect(public.page.locator("main")).not_to_contain_text("EAL2")
    assert public.page.locator("form.signout").count() == 0
    for lang in LANGS:
        for who, name, path in (
                (reader, "certification", "/certification"),
                (reader, "certificate", "/certification/certificates/RU/2022/7?in=KAZ"
                                        "&on=2024-01-01"),
                (public, "verify-public", "/verify/KZ-PUB?in=RUS&on=2025-01-01")):
            who.page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            expect(who.page.locator("html")).to_have_attribute("lang", lang)
            who.shot(f"{name}-{lang}")

"""The UI's pages over real HTTP on both databases: every page in every language, the depositary's
forms and their refusals, accounts managed within a Party."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.services.depositary import record_entries
from tests.conftest import LiveServer
from tests.web.ui_session import HISTORY, PASSWORD, account, post_form, sign_in

PAGES = ("/", "/agreement", "/status", "/status?on=2014-03-15", "/status/parties/KAZ",
         "/depositary", "/accounts")
TITLE = re.compile(r"<title>([^<]+)</title>")


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    record_entries(live_server.node.runtime, LOCAL_OPERATOR, HISTORY)
    account(live_server.node.runtime, "Dep", "depositary")
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as http:
        assert sign_in(http, "Dep").status_code == 303
        yield http


def test_every_page_answers_in_each_language_with_its_lang_and_title(
        client: httpx.Client) -> None:
    titles: dict[str, set[str]] = {}
    for lang in ("kk", "ru", "en"):
        for page in PAGES:
            response = client.get(page, params={"lang": lang})
            assert response.status_code == 200, (lang, page, response.text[:300])
            assert f'<html lang="{lang}">' in response.text
            title = TITLE.search(response.text)
            assert title and title.group(1).strip(), (lang, page)
            titles.setdefault(page, set()).add(title.group(1))
            assert "<h1" in response.text
    assert all(len(t) >= 2 for t in titles.values()), titles


def test_language_comes_from_the_query_then_the_cookie_then_accept_language(
        client: httpx.Client) -> None:
    assert "Мәртебе" in client.get("/status?lang=kk").text
    assert '<html lang="kk">' in client.get("/agreement").text  # the cookie remembers
    client.cookies.delete("kelisim_lang")
    russian = client.get("/status", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in russian.text and "Статус на" in russian.text
    dates = client.get("/status?on=2016-01-01&lang=ru").text
    assert "Статус на 1 января 2016\u202fг." in dates  # Babel's CLDR form, narrow no-break space


def test_recording_a_notification_through_the_form_changes_status_and_timeline(
        client: httpx.Client) -> None:
    before = client.get("/status?on=2014-12-01").text
    assert "state-signatory" in before and "Armenia" in before
    recorded = post_form(client, "/depositary", "/depositary/record", {
        "kind": "notification", "party": "ARM", "received": "2014-10-01",
        "authorized_bodies": "AM body\n"})
    assert recorded.status_code == 303
    confirmation = client.get(recorded.headers["location"])
    assert "Entry 8 recorded: Notification." in confirmation.text
    after = client.get("/status?on=2014-12-01").text
    arm_row = after[after.index("/status/parties/ARM"):].split("</tr>")[0]
    assert "in force" in arm_row and "Oct 31, 2014" in arm_row
    assert after.count("<polygon") > before.count("<polygon")  # a new diamond in the SVG
    party = client.get("/status/parties/ARM?on=2014-12-01").text
    assert "AM body" in party


def test_a_refused_entry_shows_the_rule_and_article_and_records_nothing(
        client: httpx.Client) -> None:
    refused = post_form(client, "/depositary", "/depositary/record", {
        "kind": "accession", "party": "GEO", "received": "2015-01-10"})
    assert refused.status_code in (400, 404, 409, 422)
    assert 'role="alert"' in refused.text
    withdrawal = post_form(client, "/depositary", "/depositary/record", {
        "kind": "withdrawal_notice", "party": "KAZ", "received": "2016-01-10",
        "withdrawal_date": "2016-02-01"})
    assert withdrawal.status_code == 422
    assert "Rule applied: Art. 15" in withdrawal.text
    assert "The hash chain verifies: 7 entries" in client.get("/depositary").text


def test_the_ledger_download_is_the_verified_export(client: httpx.Client) -> None:
    response = client.get("/depositary/ledger.json")
    assert response.status_code == 200
    assert response.headers["x-kelisim-ledger-verified"] == "true"
    assert "attachment" in response.headers["content-disposition"]
    body = response.json()
    assert body["format"] == "kelisim-ledger/1" and len(body["entries"]) == 7


def kz_admin_and_analysts(live_server: LiveServer) -> tuple[dict, dict]:
    """A KAZ party-admin ("KZ admin"), and a KAZ and a RUS analyst (returned), with passwords."""
    rt = live_server.node.runtime
    account(rt, "KZ admin", "party-admin", "KAZ")
    return account(rt, "KZ analyst", "analyst", "KAZ"), account(rt, "RU analyst", "analyst", "RUS")


def test_a_party_admin_manages_passwords_of_its_own_party_only(
        client: httpx.Client, live_server: LiveServer) -> None:
    kz_analyst, ru_analyst = kz_admin_and_analysts(live_server)
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as admin:
        assert sign_in(admin, "KZ admin").status_code == 303
        page = admin.get("/accounts").text
        assert "KZ analyst" in page and "RU analyst" not in page
        done = post_form(admin, "/accounts", f"/accounts/{kz_analyst['id']}/password",
                         {"password": "a brand new secret"})
        assert done.status_code == 303
        other = post_form(admin, "/accounts", f"/accounts/{ru_analyst['id']}/password",
                          {"password": "a brand new secret"})
        assert other.status_code == 403 and "own Party" in other.text
        created = post_form(admin, "/accounts", "/accounts",
                            {"name": "KZ reader", "role": "reader", "party": "RUS"})
        assert created.status_code == 201 and "kls_" in created.text
        assert "Kazakhstan" in created.text.split("<td>KZ reader")[1].split("</tr>")[0]
    with httpx.Client(base_url=live_server.base_url, timeout=10) as analyst:
        assert sign_in(analyst, "KZ analyst", "a brand new secret").status_code == 303
        assert sign_in(analyst, "RU analyst", PASSWORD).status_code == 303
        assert analyst.get("/accounts").status_code == 403


def test_a_party_admin_disables_accounts_of_its_own_party_only(
        client: httpx.Client, live_server: LiveServer) -> None:
    kz_analyst, ru_analyst = kz_admin_and_analysts(live_server)
    with httpx.Client(base_url=live_server.base_url, timeout=10) as analyst:
        assert sign_in(analyst, "KZ analyst").status_code == 303
        assert analyst.get("/status").status_code == 200
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as admin:
        assert sign_in(admin, "KZ admin").status_code == 303
        page = admin.get("/accounts").text
        own_row = page.split("<td>KZ admin")[1].split("</tr>")[0]
        assert "/disable" not in own_row and ">you<" in own_row  # never one's own account
        other = post_form(admin, "/accounts", f"/accounts/{ru_analyst['id']}/disable", {})
        assert other.status_code == 403 and "own Party" in other.text
        done = post_form(admin, "/accounts", f"/accounts/{kz_analyst['id']}/disable", {})
        assert done.status_code == 303
        shown = admin.get(done.headers["location"]).text
        assert "its API token and its open sessions no longer work" in shown
        row = shown.split("<td>KZ analyst")[1].split("</tr>")[0]
        assert "disabled on" in row and "/password" not in row
        russian = admin.get("/accounts?lang=ru").text
        assert "отключена" in russian.split("<td>KZ analyst")[1].split("</tr>")[0]
    # Its open browser session ended, and it signs in no more.
    assert analyst.cookies  # the session cookie it still holds opens nothing now
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      cookies=analyst.cookies) as stale:
        assert stale.get("/status", follow_redirects=False).status_code in (302, 303, 401)
    with httpx.Client(base_url=live_server.base_url, timeout=10) as again:
        assert sign_in(again, "KZ analyst").status_code == 200  # the sign-in form, refused

"""Signing in to the web UI over real HTTP, on SQLite and PostgreSQL: sessions, CSRF, throttling."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from kelisim.cli import app as cli_app
from tests.conftest import LiveServer
from tests.web.ui_session import PASSWORD, account, csrf_of, post_form, sign_in


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as http:
        yield http


def test_pages_need_a_session_and_send_you_to_sign_in(client: httpx.Client) -> None:
    for path in ("/status", "/agreement", "/depositary", "/accounts", "/status/parties/KAZ"):
        response = client.get(path + "?on=2016-01-01")
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/signin?next=%2F"), path
    page = client.get("/signin")
    assert page.status_code == 200 and "<title>" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_signing_in_sets_a_protected_session_cookie_and_signing_out_ends_it(
        client: httpx.Client, live_server: LiveServer) -> None:
    account(live_server.node.runtime, "Aigerim", "analyst", "KAZ")
    response = sign_in(client, "Aigerim")
    assert response.status_code == 303 and response.headers["location"] == "/status"
    cookie = next(h for h in response.headers.get_list("set-cookie")
                  if h.startswith("kelisim_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain HTTP on loopback; HTTPS requests get Secure
    session = client.cookies["kelisim_session"]
    assert client.get("/status").status_code == 200
    signed_out = post_form(client, "/status", "/signout", {})
    assert signed_out.status_code == 303
    client.cookies.set("kelisim_session", session)  # replaying the old cookie opens nothing
    assert client.get("/status").status_code == 303


def test_a_wrong_password_and_a_tampered_cookie_open_nothing(
        client: httpx.Client, live_server: LiveServer) -> None:
    account(live_server.node.runtime, "Timur", "analyst", "KAZ")
    wrong = sign_in(client, "Timur", "not the password")
    assert wrong.status_code == 200 and "password is wrong" in wrong.text
    unknown = sign_in(client, "Nobody", PASSWORD)
    assert unknown.status_code == 200 and "password is wrong" in unknown.text
    assert sign_in(client, "Timur").status_code == 303
    value = client.cookies["kelisim_session"]
    tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    client.cookies.set("kelisim_session", tampered)
    assert client.get("/status").status_code == 303


def test_a_form_post_without_its_csrf_token_is_refused_with_403(
        client: httpx.Client, live_server: LiveServer) -> None:
    account(live_server.node.runtime, "Dep", "depositary")
    assert sign_in(client, "Dep").status_code == 303
    entry = {"kind": "signature", "party": "KAZ", "date": "2013-11-20"}
    missing = client.post("/depositary/record", data=entry)
    forged = client.post("/depositary/record", data={**entry, "csrf_token": "forged"})
    for refused in (missing, forged):
        assert refused.status_code == 403
        assert "security token" in refused.text and "<title>" in refused.text
    no_cookie = httpx.post(f"{live_server.base_url}/signin",
                           data={"account": "Dep", "password": PASSWORD})
    assert no_cookie.status_code == 403
    assert "Nothing has been recorded yet." in client.get("/depositary").text


def test_sign_in_attempts_are_throttled_per_account(
        client: httpx.Client, live_server: LiveServer) -> None:
    account(live_server.node.runtime, "Guessed", "analyst", "KAZ")
    for _ in range(5):
        assert "password is wrong" in sign_in(client, "Guessed", "wrong guess!!").text
    throttled = sign_in(client, "Guessed")  # even the right password waits
    assert throttled.status_code == 429
    assert "Too many sign-in attempts" in throttled.text
    ru = client.post("/signin?lang=ru", data={"csrf_token": csrf_of(client.get("/signin")),
                                              "account": "Guessed", "password": PASSWORD})
    assert ru.status_code == 429 and "Слишком много попыток входа" in ru.text


def test_the_cli_sets_a_password_read_from_stdin(live_server: LiveServer,
                                                 client: httpx.Client) -> None:
    rt = live_server.node.runtime
    runner = CliRunner()
    result = runner.invoke(cli_app, ["--database-url", rt.settings.effective_database_url,
                                     "accounts", "password", "Depositary administrator"],
                           input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    assert sign_in(client, "Depositary administrator", "a long enough secret").status_code == 303
    short = runner.invoke(cli_app, ["--database-url", rt.settings.effective_database_url,
                                    "accounts", "password", "1"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in str(short.exception)


def test_every_spelling_of_an_account_shares_one_sign_in_budget(
        client: httpx.Client, live_server: LiveServer) -> None:
    created = account(live_server.node.runtime, "Spelled", "analyst", "KAZ")
    number = str(created["id"])
    for spelling in (number, "0" + number, "00" + number, "Spelled", "000" + number):
        assert "password is wrong" in sign_in(client, spelling, "wrong guess!!").text
    assert sign_in(client, "0000" + number).status_code == 429


def test_only_ascii_digits_name_an_account_by_number(
        client: httpx.Client, live_server: LiveServer) -> None:
    created = account(live_server.node.runtime, "Numbered", "analyst", "KAZ")
    arabic_indic = str(created["id"]).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for spelling in (arabic_indic, "²"):
        answer = sign_in(client, spelling)
        assert answer.status_code == 200 and "password is wrong" in answer.text, spelling
    assert sign_in(client, str(created["id"])).status_code == 303

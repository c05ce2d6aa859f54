"""A refusal of the Agreement's rules is shown in the page's language (issue 6: "every page,
message, date and number is in that language"), over real HTTP on both databases: the depositary
form refuses an accession before entry into force (Art. 14) in Kazakh and Russian, with the dates
in that language's CLDR form and the article cited; English stays as the API says it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.services.depositary import record_entries
from tests.conftest import LiveServer
from tests.web.ui_session import HISTORY, account, post_form, sign_in

ALERT = re.compile(r'<div class="alert error" role="alert">(.*?)</div>', re.S)
EARLY_ACCESSION = {"kind": "accession", "party": "UZB", "received": "2014-05-10"}
"""Uzbekistan accedes on 10 May 2014; the fixture's Agreement enters into force on 31 May 2014."""


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    record_entries(live_server.node.runtime, LOCAL_OPERATOR, HISTORY)
    account(live_server.node.runtime, "Dep", "depositary")
    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        assert sign_in(http, "Dep").status_code == 303
        yield http


def refusal_of(client: httpx.Client, lang: str, entry: dict, status: int = 422) -> str:
    client.get("/depositary", params={"lang": lang})  # the cookie remembers the language
    refused = post_form(client, "/depositary", "/depositary/record", entry)
    assert refused.status_code == status, refused.text[:500]
    assert f'<html lang="{lang}">' in refused.text
    found = ALERT.search(refused.text)
    assert found, refused.text[:2000]
    return found.group(1)


@pytest.mark.parametrize(("lang", "expected"), [
    ("kk", ["Қолданылған ереже: 14-бап",
            "Сұраудың 1-жазбасы: Құжат 2014\u202fж. 10 мамыр алынды, ал Келісім "
            "2014\u202fж. 31 мамыр күшіне енді; қосылу тек Келісім күшіне енгеннен кейін ашық."]),
    ("ru", ["Применённое правило: Ст. 14",
            "Запись 1 запроса: Документ получен 10 мая 2014\u202fг., до вступления Соглашения "
            "в силу 31 мая 2014\u202fг.; присоединение открыто только после вступления в силу."]),
])
def test_an_accession_before_entry_into_force_is_refused_in_the_page_language(
        client: httpx.Client, lang: str, expected: list[str]) -> None:
    alert = refusal_of(client, lang, EARLY_ACCESSION)
    for text in expected:
        assert text in alert, alert
    assert 'lang="en"' not in alert  # nothing in the refusal is left in English
    assert "2014-05-10" not in alert and "entry into force" not in alert
    assert "The hash chain verifies: 7 entries" in client.get("/depositary?lang=en").text


def test_in_english_the_reason_is_the_api_reason_with_dates_for_a_reader(
        client: httpx.Client) -> None:
    alert = refusal_of(client, "en", EARLY_ACCESSION)
    assert "Rule applied: Art. 14" in alert
    assert ("Entry 1 of the request: The instrument was received on May 10, 2014, before the "
            "Agreement entered into force on May 31, 2014; accession is open only after entry "
            "into force.") in alert


def test_a_party_state_and_a_state_name_are_shown_in_the_page_language(
        client: httpx.Client) -> None:
    """Kazakhstan, in force since 31 May 2014, may not accede: its state and name in Russian."""
    alert = refusal_of(client, "ru", {"kind": "accession", "party": "KAZ",
                                      "received": "2015-01-10"}, status=409)
    assert "Казахстан" in alert and "«действует»" in alert and "10 января 2015\u202fг." in alert
    assert "KAZ" not in alert and 'lang="en"' not in alert

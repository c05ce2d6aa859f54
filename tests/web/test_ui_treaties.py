"""The status page shows a protocol (Art. 11) and the consolidated text has its page, in kk, ru
and en, over a real server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kelisim.cli.base import LOCAL_OPERATOR
from kelisim.services.depositary import record_entries
from tests.conftest import LiveServer
from tests.protocol_history import HISTORY, P1
from tests.web.ui_session import account, sign_in


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    record_entries(live_server.node.runtime, LOCAL_OPERATOR, HISTORY)
    account(live_server.node.runtime, "Dep", "depositary")
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as http:
        assert sign_in(http, "Dep").status_code == 303
        yield http


@pytest.mark.parametrize(("lang", "title", "in_force"), [
    ("en", "Protocol amending the Agreement", "The protocol has been in force since"),
    ("ru", "Протокол о внесении изменений в Соглашение", "Протокол действует с"),
    ("kk", "Келісімге өзгерістер енгізу туралы хаттама", "бастап күшінде"),
])
def test_the_status_page_shows_a_protocol_per_party(client: httpx.Client, lang: str,
                                                    title: str, in_force: str) -> None:
    agreement = client.get("/status", params={"on": "2022-07-10", "lang": lang})
    assert agreement.status_code == 200
    assert f"treaty={P1}" in agreement.text and title in agreement.text
    page = client.get("/status", params={"on": "2022-07-10", "treaty": P1, "lang": lang})
    assert page.status_code == 200, page.text[:300]
    assert f'<html lang="{lang}">' in page.text and in_force in page.text
    assert 'class="state-withdrawn"' in page.text  # RUS: its withdrawal from the Agreement
    assert f'name="treaty" value="{P1}"' in page.text  # the date form keeps the treaty


@pytest.mark.parametrize(("lang", "amended", "marker"), [
    ("en", "Article 8 as amended.", "Amended by cis-infosec-2013-p1"),
    ("ru", "Статья 8 в новой редакции.", "Изменена протоколом cis-infosec-2013-p1"),
    ("kk", "8-бап жаңа редакцияда.", "cis-infosec-2013-p1 өзгертті"),
])
def test_the_consolidated_text_page_in_each_language(client: httpx.Client, lang: str,
                                                     amended: str, marker: str) -> None:
    page = client.get("/agreement/text", params={"party": "KAZ", "on": "2021-03-01",
                                                 "lang": lang})
    assert page.status_code == 200, page.text[:300]
    assert amended in page.text and marker in page.text and 'id="art-3-1"' in page.text
    before = client.get("/agreement/text", params={"party": "KAZ", "on": "2021-01-01",
                                                   "lang": lang})
    assert amended not in before.text and 'id="art-3-1"' not in before.text


def test_the_record_pages_name_the_treaty_of_each_entry(client: httpx.Client) -> None:
    for page in ("/depositary", "/status/parties/KAZ?on=2022-01-01"):
        for lang in ("kk", "ru", "en"):
            response = client.get(page, params={"lang": lang})
            assert response.status_code == 200, (page, response.text[:300])
            assert f'href="/status?treaty={P1}"' in response.text
    assert "Protocol recorded" in client.get("/depositary", params={"lang": "en"}).text


def test_the_agreement_page_links_to_the_text_in_force(client: httpx.Client) -> None:
    for lang in ("kk", "ru", "en"):
        assert 'href="/agreement/text"' in client.get("/agreement", params={"lang": lang}).text
    page = client.get("/agreement/text", params={"lang": "en"})  # the account has no Party
    assert page.status_code == 200 and "for KAZ" in page.text

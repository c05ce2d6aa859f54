"""The certification registry's pages over real HTTP on both databases: search with filters,
full text and keyset pages, a certificate with its lifecycle, verification for a Party and a date
with its reasons, and the public verification page (no sign-in, only what the scheme published)
in each language."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from kelisim.services.certification import recording
from tests.certification_data import certificate_json
from tests.conftest import LiveServer
from tests.integration.certification_setup import Registry, issue, make_registry
from tests.web.ui_session import account, sign_in

TITLE = re.compile(r"<title>([^<]+)</title>")
ROW_LINK = re.compile(r'href="/certification/certificates/([^"]+)"')


@pytest.fixture
def registry(live_server: LiveServer) -> Registry:
    found = make_registry(live_server.node)
    issue(found, "KZ-PUB", "KZ-CC", level="EAL2")
    issue(found, "RU/2022/7", "RU-FSTEC", document="FSTEC-UD", level="4",
          issued="2022-02-01", expires="2027-02-01")
    issue(found, "BY-HIDDEN", "BY-OAC", issued="2020-01-01")
    issue(found, "KZ-SUSP", "KZ-CC", vendor="Steppe Soft")
    recording.record_event(live_server.node.runtime, found.certifiers["KAZ"], "KZ-SUSP",
                           "suspended", {"on": "2024-05-01", "reason": "under review"})
    account(live_server.node.runtime, "KZ reader", "reader", "KAZ")
    return found


@pytest.fixture
def client(live_server: LiveServer, registry: Registry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as http:
        assert sign_in(http, "KZ reader").status_code == 303
        yield http


@pytest.fixture
def anonymous(live_server: LiveServer, registry: Registry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        yield http


def test_every_certification_page_answers_in_each_language(
        client: httpx.Client, anonymous: httpx.Client) -> None:
    pages = ["/certification", "/certification?q=product&state=valid&on=2025-01-01",
             "/certification/certificates/KZ-PUB",
             "/certification/certificates/RU/2022/7?in=KAZ&on=2024-01-01"]
    for lang in ("kk", "ru", "en"):
        for page in pages:
            response = client.get(page, params={"lang": lang})
            assert response.status_code == 200, (lang, page, response.text[-500:])
            assert f'<html lang="{lang}">' in response.text and "<h1" in response.text
            assert TITLE.search(response.text)
        public = anonymous.get("/verify/KZ-PUB", params={"lang": lang, "in": "RUS",
                                                         "on": "2025-01-01"})
        assert public.status_code == 200 and f'<html lang="{lang}">' in public.text
    assert "Сертификаттау" in client.get("/certification?lang=kk").text
    assert "Реестр сертификатов" in client.get("/certification?lang=ru").text
    assert 'href="/certification"' in client.get("/status").text  # in the navigation


def test_search_filters_full_text_and_keyset_pages(
        client: httpx.Client, live_server: LiveServer, registry: Registry) -> None:
    everything = client.get("/certification").text
    assert set(ROW_LINK.findall(everything)) == {"KZ-PUB", "RU/2022/7", "BY-HIDDEN", "KZ-SUSP"}
    by_text = client.get("/certification", params={"q": "product ru"}).text
    assert ROW_LINK.findall(by_text) == ["RU/2022/7"]
    by_party = client.get("/certification", params={"party": "KAZ"}).text
    assert set(ROW_LINK.findall(by_party)) == {"KZ-PUB", "KZ-SUSP"}
    suspended = client.get("/certification", params={"state": "suspended",
                                                     "on": "2024-06-01"}).text
    assert ROW_LINK.findall(suspended) == ["KZ-SUSP"]
    assert ROW_LINK.findall(client.get("/certification", params={"vendor": "Steppe Soft"})
                            .text) == ["KZ-SUSP"]
    assert "No certificate matches." in client.get("/certification",
                                                   params={"q": "nothing-like-this"}).text
    bad = client.get("/certification", params={"on": "yesterday"})
    assert bad.status_code == 400 and "date" in bad.text
    recording.issue_certificates(
        live_server.node.runtime, registry.certifiers["KAZ"], "KZ-CC",
        [(certificate_json(f"KZ-BULK-{n:03d}", "KZ-CC"), []) for n in range(55)])
    seen: list[str] = []
    url: str | None = "/certification?party=KAZ"
    pages = 0
    while url:
        page = client.get(url.replace("&amp;", "&")).text
        seen += ROW_LINK.findall(page)
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = found.group(1) if found else None
        pages += 1
    assert pages == 2 and len(seen) == len(set(seen)) == 57


def test_a_certificate_with_its_lifecycle_and_verification_with_reasons(
        client: httpx.Client) -> None:
    page = client.get("/certification/certificates/KZ-SUSP").text
    assert "Steppe Soft" in page and "Lifecycle" in page
    assert "suspended" in page and "May 1, 2024" in page
    valid = client.get("/certification/certificates/KZ-PUB",
                       params={"in": "RUS", "on": "2025-01-01"}).text
    assert "Valid in Russian Federation on January 1, 2025" in valid
    assert "Recognised" in valid and "RUS-KZ" in valid
    refused = client.get("/certification/certificates/RU/2022/7",
                         params={"in": "ARM", "on": "2024-01-01"}).text
    assert "Not valid in Armenia on January 1, 2024" in refused
    russian = client.get("/certification/certificates/RU/2022/7",
                         params={"in": "KAZ", "on": "2024-01-01", "lang": "ru"}).text
    assert "Действителен" in russian and "Казахстан" in russian
    assert 'lang="en"' in russian  # the rule's own words, marked as English
    unknown = client.get("/certification/certificates/NO-SUCH")
    assert unknown.status_code == 404


def test_the_public_page_needs_no_sign_in_and_shows_only_published_fields(
        anonymous: httpx.Client) -> None:
    for lang, heading in (("en", "Verify certificate KZ-PUB"),
                          ("ru", "Проверка сертификата KZ-PUB"),
                          ("kk", "KZ-PUB")):
        page = anonymous.get("/verify/KZ-PUB", params={"in": "RUS", "on": "2025-01-01",
                                                      "lang": lang})
        assert page.status_code == 200 and heading in page.text
        assert "Product KZ-PUB" in page.text and "Example Vendor" in page.text
        for secret in ("2021", "2026", "EAL2", "1.0"):
            assert secret not in page.text.split("<main")[1].split("</main>")[0], (lang, secret)
        assert "Sign out" not in page.text
    english = anonymous.get("/verify/KZ-PUB?in=RUS&on=2025-01-01&lang=en").text
    assert "Valid in Russian Federation on January 1, 2025" in english
    published = anonymous.get("/verify/RU/2022/7?lang=en").text
    assert "Feb 1, 2022" not in published and "February 1, 2022" in published
    assert anonymous.get("/verify/BY-HIDDEN").status_code == 404
    assert anonymous.get("/verify/NO-SUCH").status_code == 404
    assert anonymous.get("/verify/KZ-PUB?in=KZ").status_code == 400
    assert anonymous.get("/certification").status_code == 303  # the registry needs sign-in

"""The workspace's pages over real HTTP on both databases (issue 15 items 1, 2, 7): the list and
a project's page in each language, the forms (propose, join, add a stage, change a deadline,
consent, record a cost), the stage timeline, and the refusals shown in the reader's language:
a Party for which the Agreement is not in force cannot join (Art. 13, 14), and a user of
another Party cannot consent for yours (Art. 5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from kelisim.services.workspace import projects as ws
from tests.conftest import LiveServer
from tests.exchange_support import Exchange
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords
from tests.web.ui_session import post_form, sign_in

ALERT = re.compile(r'<div class="alert error" role="alert">(.*?)</div>', re.S)
PROJECT = re.compile(r"/workspace/projects/([0-9a-f-]{36})")


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    return exchange_with_passwords(live_server.node)


@contextmanager
def client_for(live_server: LiveServer, who: str, lang: str = "en") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": lang}) as client:
        assert sign_in(client, NAMES[who]).status_code == 303
        yield client


def propose(client: httpx.Client, title: str = "Harmonised incident reporting") -> str:
    made = post_form(client, "/workspace", "/workspace/projects", {
        "kind": "project", "title": title, "goals": "One reporting form", "directions": ["5", "9"]})
    assert made.status_code == 303, made.text[:1000]
    found = PROJECT.search(made.headers["location"])
    assert found
    return found.group(1)


def alert(page: httpx.Response) -> str:
    found = ALERT.search(page.text)
    assert found, page.text[:3000]
    return found.group(1)


def test_two_parties_agree_a_deadline_and_record_a_cost_through_the_forms(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "kz") as kz, client_for(live_server, "ru") as ru:
        pid = propose(kz)
        page = f"/workspace/projects/{pid}"
        joined = post_form(ru, page, f"{page}/join", {})
        assert joined.status_code == 303
        added = post_form(kz, page, f"{page}/stages", {
            "title": "Collect and exchange information", "deliverables": "Survey\nDraft act",
            "deadline": "2027-03-01"})
        assert added.status_code == 303, added.text[:2000]
        stage = ws.show_project(live_server.node.runtime, exchange.principals["kz"], pid)[
            "stages"][0]
        consent = f"{page}/stages/{stage['id']}/consent"
        assert post_form(kz, page, consent, {"revision": "1", "party": "KAZ"}).status_code == 303
        shown = kz.get(page).text
        assert "not agreed yet" in shown and ">awaited<" in shown
        assert post_form(ru, page, consent, {"revision": "1", "party": "RUS"}).status_code == 303
        shown = ru.get(page).text
        assert "deadline agreed" in shown and ">awaited<" not in shown
        assert 'class="stage-timeline"' in shown and 'class="stage-agreed"' in shown
        changed = post_form(kz, page, f"{page}/stages/{stage['id']}/deadline",
                            {"deadline": "2027-04-01"})
        assert changed.status_code == 303
        shown = kz.get(page).text
        assert "not agreed yet" in shown and "revision 2" in shown
        cost = post_form(ru, page, f"{page}/costs", {"amount": "1250.50", "currency": "rub",
                                                     "stage_id": stage["id"]})
        assert cost.status_code == 303, cost.text[:2000]
        shown = ru.get(page, params={"lang": "ru"}).text
        assert "1\u00a0250,50\u00a0₽" in shown and "Российская Федерация" in shown
        listing = ru.get("/workspace", params={"lang": "en"}).text
        assert "Harmonised incident reporting" in listing and "Russian Federation" in listing


def test_every_workspace_page_answers_in_each_language(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "kz") as kz:
        pid = propose(kz)
        page = f"/workspace/projects/{pid}"
        post_form(kz, page, f"{page}/stages", {"title": "First", "deadline": "2026-01-10"})
        for lang in ("kk", "ru", "en"):
            for path in ("/workspace", page):
                response = kz.get(path, params={"lang": lang})
                assert response.status_code == 200, (lang, path, response.text[-500:])
                assert f'<html lang="{lang}">' in response.text
                assert 'href="/workspace" aria-current="page"' in response.text
        overdue = kz.get(page, params={"lang": "en"}).text
        assert 'class="flag overdue"' in overdue and 'class="deadline-overdue"' in overdue


@pytest.mark.parametrize(("lang", "expected"), [
    ("kk", ["13, 14-бап", "Армения"]),
    ("ru", ["Ст. 13, 14", "Армения", "«подписавшее государство»"]),
    ("en", ["Art. 13, 14", "Armenia", "signatory"]),
])
def test_a_party_not_in_force_cannot_join_and_is_told_in_its_language(
        live_server: LiveServer, exchange: Exchange, lang: str, expected: list[str]) -> None:
    with client_for(live_server, "kz") as kz, client_for(live_server, "am", lang) as am:
        pid = propose(kz)
        page = f"/workspace/projects/{pid}"
        refused = post_form(am, page, f"{page}/join", {})
        assert refused.status_code == 422
        shown = alert(refused)
        for text in expected:
            assert text in shown, shown
        if lang != "en":
            assert 'lang="en"' not in shown and "ARM" not in shown
        seen = ws.show_project(live_server.node.runtime, exchange.principals["kz"], pid)
        assert seen["participants"] == ["KAZ"]


@pytest.mark.parametrize(("lang", "expected"), [
    ("ru", "Вы действуете от имени Стороны Российская Федерация: согласие Стороны "
           "Казахстан"),
    ("en", "You act for Russian Federation: the consent of Kazakhstan is given by its own "
           "authorized body only"),
])
def test_a_user_of_another_party_cannot_consent_for_yours(
        live_server: LiveServer, exchange: Exchange, lang: str, expected: str) -> None:
    with client_for(live_server, "kz") as kz, client_for(live_server, "ru", lang) as ru:
        pid = propose(kz)
        page = f"/workspace/projects/{pid}"
        post_form(ru, page, f"{page}/join", {})
        post_form(kz, page, f"{page}/stages", {"title": "First", "deadline": "2027-03-01"})
        stage = ws.show_project(live_server.node.runtime, exchange.principals["kz"], pid)[
            "stages"][0]
        refused = post_form(ru, page, f"{page}/stages/{stage['id']}/consent",
                            {"revision": "1", "party": "KAZ"})
        assert refused.status_code == 403
        shown = alert(refused)
        assert expected in shown, shown
        seen = ws.show_project(live_server.node.runtime, exchange.principals["kz"], pid)
        assert seen["stages"][0]["consents"] == []  # nothing recorded, for either Party


def test_a_bad_currency_is_refused_beside_the_cost_form_in_russian(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "kz", "ru") as kz:
        pid = propose(kz)
        page = f"/workspace/projects/{pid}"
        refused = post_form(kz, page, f"{page}/costs", {"amount": "10", "currency": "ABC"})
        assert refused.status_code == 400
        shown = alert(refused)
        assert "&#39;ABC&#39; — не код валюты ISO 4217" in shown and 'lang="en"' not in shown
        assert 'value="ABC"' in refused.text  # the form keeps what was typed


def test_a_workspace_form_without_its_csrf_token_is_refused(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "kz") as kz:
        refused = kz.post("/workspace/projects", data={"kind": "project", "title": "x",
                                                        "directions": "1"})
        assert refused.status_code == 403
        assert ws.list_projects(live_server.node.runtime, exchange.principals["kz"]) == []

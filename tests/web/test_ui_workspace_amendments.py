"""Proposals of amendments to the Agreement through the UI, over real HTTP on both databases
(issue 15 item 6; Art. 11): the list and the propose form in each language (one row, a second
row added, a bad form refused with its reason and nothing stored), another Party's consent with
who and when, a discussion remark, a Party not bound by the Agreement refused with the rule's
message, and the links to the protocol once the depositary recorded it."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from kelisim.services import depositary
from kelisim.services.workspace import amendments
from tests.conftest import LiveServer
from tests.protocol_history import PROTOCOL
from tests.web.test_ui_workspace import ALERT, client_for
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import account, csrf_of, post_form, sign_in

PROPOSAL = re.compile(r"/workspace/amendments/([0-9a-f-]{36})")
FORM = {"proposal_title_kk": "Келісімге өзгерістер", "proposal_title_ru": "Изменения в Соглашение",
        "proposal_title_en": "Amendments to the Agreement on Art. 8",
        "article": "8", "action": "replace", "new_article": "",
        "text_kk": "8-бап жаңа редакцияда.", "text_ru": "Статья 8 в новой редакции.",
        "text_en": "Article 8 as amended.", "title_kk": "", "title_ru": "", "title_en": "",
        "note": "Art. 8 lists by electronic means."}


@pytest.mark.parametrize(("lang", "heading", "empty"), [
    ("kk", "Келісімге өзгерістер", "Әзірге өзгеріс ұсынылмаған."),
    ("ru", "Изменения в Соглашение", "Изменения пока не предлагались."),
    ("en", "Amendments to the Agreement", "No amendment has been proposed yet."),
])
def test_the_list_and_the_form_in_each_language(live_server: LiveServer, lang: str,
                                                heading: str, empty: str) -> None:
    exchange_with_passwords(live_server.node)
    with client_for(live_server, "kz", lang) as kz:
        assert 'href="/workspace/amendments"' in kz.get("/workspace").text
        page = kz.get("/workspace/amendments")
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
        assert heading in page.text and empty in page.text and 'id="propose-form"' in page.text
        bad = post_form(kz, "/workspace/amendments", "/workspace/amendments",
                        {**FORM, "text_ru": ""})
        assert bad.status_code == 400
        alert = ALERT.search(bad.text)
        assert alert and "amendments[0]" in alert.group(1)
        assert "Article 8 as amended." in bad.text  # the form keeps what was typed
        assert empty in bad.text  # nothing stored


def test_propose_consent_discuss_and_adoption(live_server: LiveServer) -> None:
    ex = exchange_with_passwords(live_server.node)
    with client_for(live_server, "kz", "en") as kz:
        token = csrf_of(kz.get("/workspace/amendments"))
        two = kz.post("/workspace/amendments", data={"csrf_token": token, **FORM,
                                                     "add_row": "1"})
        assert two.status_code == 200 and two.text.count('class="amendment"') == 2
        assert "Article 8 as amended." in two.text
        made = kz.post("/workspace/amendments", data={
            "csrf_token": token, **{k: v for k, v in FORM.items() if k not in ROW},
            **{k: [FORM[k], SECOND[k]] for k in ROW}})
        assert made.status_code == 303, made.text[:2000]
        found = PROPOSAL.search(made.headers["location"])
        assert found
        page = f"/workspace/amendments/{found.group(1)}"
        shown = kz.get(page)
        assert shown.status_code == 200 and "Статья 8 в новой редакции." in shown.text
        assert "Стороны проверяют пункты связи." in shown.text and 'lang="kk"' in shown.text
        assert 'data-consent="KAZ"' in shown.text and "kz account" in shown.text
        assert 'data-awaited="RUS"' in shown.text and 'id="consent-form"' not in shown.text
        assert 'id="withdraw-form"' in shown.text
        listing = kz.get("/workspace/amendments").text
        assert found.group(1) in listing and "Belarus" in listing and "3-1" in listing
    with client_for(live_server, "ru", "ru") as ru:
        shown = ru.get(page)
        assert 'id="consent-form"' in shown.text and 'id="withdraw-form"' not in shown.text
        assert "Согласие Сторон" in shown.text
        assert post_form(ru, page, f"{page}/remarks",
                         {"text": "Согласны, с уточнением сроков."}).status_code == 303
        assert post_form(ru, page, f"{page}/consent", {}).status_code == 303
        shown = ru.get(page)
        assert 'data-consent="RUS"' in shown.text and "ru account" in shown.text
        assert "Согласны, с уточнением сроков." in shown.text
        assert 'id="consent-form"' not in shown.text
        again = post_form(ru, "/workspace/amendments", f"{page}/consent", {})
        assert again.status_code == 422
        alert = ALERT.search(again.text)
        assert alert and "уже дала согласие" in alert.group(1)
    with client_for(live_server, "by", "kk") as by:
        assert post_form(by, page, f"{page}/consent", {}).status_code == 303
        shown = by.get(page)
        assert 'data-awaited' not in shown.text and 'data-consent="BLR"' in shown.text
    depositary.record_entries(live_server.node.runtime, ex.admin,
                              [{**PROTOCOL, "proposal": found.group(1)}])
    with client_for(live_server, "kz", "en") as kz:
        shown = kz.get(page).text
        assert f'href="/status?treaty={PROTOCOL["protocol"]}"' in shown
        assert 'href="/agreement/text?party=KAZ"' in shown and "adopted as a protocol" in shown
        assert 'id="withdraw-form"' not in shown


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "only its Parties propose and consent to amendments (Art. 11)"),
    ("ru", "предлагать изменения и давать согласие на них могут только его Стороны"),
    ("kk", "өзгерістерді тек оның Тараптары ұсынады"),
])
def test_a_party_not_bound_neither_proposes_nor_consents(live_server: LiveServer, lang: str,
                                                         message: str) -> None:
    ex = exchange_with_passwords(live_server.node)
    made = amendments.propose(live_server.node.runtime, ex.principals["kz"],
                              titles=PROTOCOL["titles"], amendments=PROTOCOL["amendments"][:1])
    page = f"/workspace/amendments/{made['id']}"
    with client_for(live_server, "am", lang) as am:
        refused = post_form(am, "/workspace/amendments", "/workspace/amendments", FORM)
        assert refused.status_code == 422
        alert = ALERT.search(refused.text)
        assert alert and message in alert.group(1), refused.text[:3000]
        listing = am.get("/workspace/amendments").text
        assert listing.count("data-proposal=") == 1  # nothing stored
        refused = post_form(am, page, f"{page}/consent", {})
        assert refused.status_code == 422
        alert = ALERT.search(refused.text)
        assert alert and message in alert.group(1)
        assert 'data-consent="ARM"' not in am.get(page).text


ROW = ("article", "action", "new_article", "text_kk", "text_ru", "text_en", "title_kk",
       "title_ru", "title_en")
SECOND = {"article": "3", "action": "insert_after", "new_article": "3-1",
          "text_kk": "Тараптар байланыс пункттерін тексереді.",
          "text_ru": "Стороны проверяют пункты связи.",
          "text_en": "The Parties test their points of contact.",
          "title_kk": "Байланыс пункттері", "title_ru": "Пункты связи",
          "title_en": "Points of contact"}


@pytest.mark.parametrize(("lang", "invalid"), [
    ("en", "is not valid JSON (line 1"), ("ru", "не является корректным JSON (строка 1"),
    ("kk", "жарамды JSON емес (1-жол"),
])
def test_the_depositary_records_a_protocol_from_its_json(live_server: LiveServer, lang: str,
                                                         invalid: str) -> None:
    ex = exchange_with_passwords(live_server.node)
    made = amendments.propose(live_server.node.runtime, ex.principals["kz"],
                              titles=PROTOCOL["titles"], amendments=PROTOCOL["amendments"][:1])
    account(live_server.node.runtime, "Dep", "depositary")
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": lang}) as dep:
        assert sign_in(dep, "Dep").status_code == 303
        page = dep.get("/depositary")
        assert 'id="protocol-entry"' in page.text and 'name="treaty"' in page.text
        count = page.text.count("<tr")
        bad = post_form(dep, "/depositary", "/depositary/record",
                        {"kind": "protocol", "entry": '{"protocol": '})
        assert bad.status_code == 400 and invalid in bad.text
        assert '{&#34;protocol&#34;: ' in bad.text  # the textarea keeps what was typed
        unclear = post_form(dep, "/depositary", "/depositary/record", {
            "kind": "protocol", "entry": json.dumps({**PROTOCOL, "titles": {"en": "x"}})})
        assert unclear.status_code == 400 and 'role="alert"' in unclear.text
        assert dep.get("/depositary").text.count("<tr") == count  # nothing recorded
        entry = {k: v for k, v in PROTOCOL.items() if k != "kind"}
        done = post_form(dep, "/depositary", "/depositary/record", {
            "kind": "protocol", "entry": json.dumps({**entry, "proposal": made["id"]})})
        assert done.status_code == 303, done.text[:2000]
        signed = post_form(dep, "/depositary", "/depositary/record", {
            "kind": "signature", "party": "KAZ", "date": "2026-11-20",
            "treaty": PROTOCOL["protocol"]})
        assert signed.status_code == 303, signed.text[:2000]
        ledger = dep.get("/depositary").text
        assert ledger.count(f'href="/status?treaty={PROTOCOL["protocol"]}"') >= 2
    shown = amendments.show(live_server.node.runtime, ex.principals["ru"], made["id"])
    assert shown["protocol"] == PROTOCOL["protocol"]


def test_the_proposing_party_withdraws_and_then_nothing_more(live_server: LiveServer) -> None:
    ex = exchange_with_passwords(live_server.node)
    made = amendments.propose(live_server.node.runtime, ex.principals["kz"],
                              titles=PROTOCOL["titles"], amendments=PROTOCOL["amendments"][:1])
    page = f"/workspace/amendments/{made['id']}"
    with client_for(live_server, "ru", "ru") as ru:
        assert 'id="withdraw-form"' not in ru.get(page).text
        refused = post_form(ru, page, f"{page}/withdrawal", {"reason": "нет"})
        assert refused.status_code == 403
        alert = ALERT.search(refused.text)
        assert alert and "статья 11" in alert.group(1).lower()
    with client_for(live_server, "kz", "kk") as kz:
        assert post_form(kz, page, f"{page}/withdrawal",
                         {"reason": "Superseded."}).status_code == 303
        shown = kz.get(page).text
        assert "Superseded." in shown and 'id="remark-form"' not in shown
        assert "ұсынған Тарап кері қайтарып алды" in kz.get("/workspace/amendments").text
    with client_for(live_server, "ru", "en") as ru:
        shown = ru.get(page).text
        assert 'id="consent-form"' not in shown
        refused = post_form(ru, page, f"{page}/consent", {})
        assert refused.status_code == 422
        alert = ALERT.search(refused.text)
        assert alert and "This proposal of amendments was withdrawn." in alert.group(1)

"""The exchange's pages over real HTTP on both databases: every page in every language, the
submission form (valid STIX 2.1 built, validation messages, CSRF), bundle upload and its status,
filters, Art. 6 access (a Party not named sees nothing, not even a count), the audit of reads,
and a withdrawn Party's analyst refused from the date the withdrawal takes effect."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest

from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.taxii import Query
from kelisim.services import depositary
from kelisim.services.exchange.audit import read_audit
from kelisim.services.exchange.reading import read_page
from tests.conftest import LiveServer
from tests.exchange_support import Exchange, indicator, restricted_marking, state_secret
from tests.web.ui_exchange_setup import NAMES, exchange_with_passwords, post
from tests.web.ui_session import csrf_of, post_form, sign_in

TITLE = re.compile(r"<title>([^<]+)</title>")
OBJECT_LINK = re.compile(r"/objects/((?:indicator|report)--[0-9a-f-]+)")


@pytest.fixture
def exchange(live_server: LiveServer) -> Exchange:
    found = exchange_with_passwords(live_server.node)
    marking = restricted_marking("KAZ", ["RUS"])
    post(live_server.node, found.principals["kz"], found.collection_id, [
        indicator("open green indicator"),
        indicator("amber for RUS", tlp="amber", recipients={"parties": ["RUS"]},
                  directions=[12], threat_class="information_terrorism"),
        marking, indicator("restricted KAZ data", markings=[marking["id"]])])
    return found


@contextmanager
def client_for(live_server: LiveServer, who: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=10,
                      headers={"Accept-Language": "en"}) as client:
        assert sign_in(client, NAMES[who]).status_code == 303
        yield client


@pytest.fixture
def ru(live_server: LiveServer, exchange: Exchange) -> Iterator[httpx.Client]:
    with client_for(live_server, "ru") as client:
        yield client


def objects_url(exchange: Exchange, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/exchange/collections/{exchange.collection_id}?{query}"


def test_every_exchange_page_answers_in_each_language(
        live_server: LiveServer, exchange: Exchange) -> None:
    with client_for(live_server, "kz_admin") as admin:
        listing = admin.get(objects_url(exchange)).text
        first = OBJECT_LINK.search(listing)
        assert first
        status_id = post(live_server.node, exchange.principals["kz"], exchange.collection_id,
                         [indicator("one more")])["id"]
        pages = ["/exchange", objects_url(exchange), objects_url(exchange, tlp="amber"),
                 f"/exchange/collections/{exchange.collection_id}/objects/{first.group(1)}",
                 f"/exchange/collections/{exchange.collection_id}/submit",
                 f"/exchange/collections/{exchange.collection_id}/submit?kind=report",
                 f"/exchange/status/{status_id}", "/exchange/audit"]
        for lang in ("kk", "ru", "en"):
            for page in pages:
                response = admin.get(page, params={"lang": lang})
                assert response.status_code == 200, (lang, page, response.text[-500:])
                assert f'<html lang="{lang}">' in response.text and "<h1" in response.text
                title = TITLE.search(response.text)
                assert title and title.group(1).strip()
        assert "Алмасу" in admin.get("/exchange?lang=kk").text
        assert "Обмен" in admin.get("/exchange?lang=ru").text


def test_an_indicator_posted_through_the_form_is_valid_stix_and_found_by_another_party(
        live_server: LiveServer, exchange: Exchange, ru: httpx.Client) -> None:
    submit = f"/exchange/collections/{exchange.collection_id}/submit"
    with client_for(live_server, "kz") as kz:
        posted = post_form(kz, submit, submit, {
            "kind": "indicator", "name": "C2 domain of the week",
            "pattern": "[domain-name:value = 'c2.example']", "valid_from": "2026-11-24",
            "indicator_type": "malicious-activity", "directions": ["9", "12"],
            "threat_class": "information_crime", "tlp": "green"})
        assert posted.status_code == 303, posted.text[-800:]
        assert "posted=1" in posted.headers["location"]
        assert "Posted to the exchange" in kz.get(posted.headers["location"]).text
    stored = read_page(live_server.node.runtime, exchange.principals["ru"],
                       exchange.collection_id, Query(types=("indicator",)), Endpoint.OBJECTS)
    mine = [json.loads(r.raw) for r in stored.rows if b"C2 domain" in r.raw]
    assert len(mine) == 1
    obj = mine[0]
    assert obj["spec_version"] == "2.1" and obj["pattern_type"] == "stix"
    assert obj["valid_from"] == "2026-11-24T00:00:00.000Z"
    extension = next(iter(obj["extensions"].values()))
    assert extension["art3_directions"] == [9, 12]
    assert extension["threat_class"] == "information_crime"
    found = ru.get(objects_url(exchange, type="indicator", direction="12",
                               threat_class="information_crime", tlp="green", producer="KAZ",
                               since="2026-11-25")).text
    assert "C2 domain of the week" in found and "open green indicator" not in found
    assert "C2 domain" not in ru.get(objects_url(exchange, producer="RUS")).text
    assert "C2 domain" not in ru.get(objects_url(exchange, tlp="red")).text
    assert "C2 domain" not in ru.get(objects_url(exchange, since="2026-11-26")).text


def test_the_form_explains_what_is_wrong_and_sends_nothing(
        live_server: LiveServer, exchange: Exchange) -> None:
    submit = f"/exchange/collections/{exchange.collection_id}/submit"
    with client_for(live_server, "kz") as kz:
        bad = post_form(kz, submit, submit, {
            "kind": "indicator", "name": "broken", "pattern": "[domain-name:value = ",
            "tlp": "amber", "indicator_type": "malicious-activity"})
        assert bad.status_code == 400
        assert "The pattern is not valid STIX patterning" in bad.text
        assert "Choose at least one direction of Art. 3." in bad.text
        assert "name at least one" in bad.text
        assert 'aria-invalid="true"' in bad.text and "[domain-name:value = " in bad.text
        report = post_form(kz, f"{submit}?kind=report", submit, {
            "kind": "report", "name": "a report", "directions": ["9"], "tlp": "green",
            "report_type": "threat-report", "object_refs": ""})
        assert report.status_code == 400 and "at least one object" in report.text
        russian = post_form(kz, submit, submit + "?lang=ru", {
            "kind": "indicator", "name": "", "pattern": "[x", "tlp": "green"})
        assert russian.status_code == 400 and "Укажите название." in russian.text
    names = [json.loads(r.raw).get("name") for r in read_page(
        live_server.node.runtime, exchange.principals["kz"], exchange.collection_id, Query(),
        Endpoint.OBJECTS).rows]
    assert "broken" not in names and "a report" not in names


def test_a_report_with_restricted_access_and_amber_recipients(
        live_server: LiveServer, exchange: Exchange, ru: httpx.Client) -> None:
    submit = f"/exchange/collections/{exchange.collection_id}/submit"
    target = OBJECT_LINK.search(ru.get(objects_url(exchange)).text)
    assert target
    with client_for(live_server, "kz") as kz:
        posted = post_form(kz, f"{submit}?kind=report", submit, {
            "kind": "report", "name": "Campaign summary", "report_type": "threat-report",
            "object_refs": target.group(1), "directions": ["9"], "tlp": "amber",
            "recipients": ["RUS"], "restricted": "1", "legal_basis": "Law on state secrets "
            "(fictional), art. 8", "allowed": ["RUS"]})
        assert posted.status_code == 303, posted.text[-800:]
        page = kz.get(posted.headers["location"]).text
    assert "TLP:AMBER" in page and "Restricted access — Art. 6" in page
    assert "Parties allowed:" in page and "Russia" in page
    seen = ru.get(posted.headers["location"].split("?")[0])
    assert seen.status_code == 200 and "Campaign summary" in seen.text
    referred = ru.get(f"/exchange/collections/{exchange.collection_id}/objects/"
                      f"{target.group(1)}").text
    assert "Campaign summary" in referred  # the report points at it: a relationship
    with client_for(live_server, "by") as by:
        listing = by.get(objects_url(exchange)).text
        assert "Campaign summary" not in listing
        assert "Law on state secrets" not in listing  # nor the marking that names the law
        assert len(OBJECT_LINK.findall(listing)) == 1
        assert by.get(posted.headers["location"].split("?")[0]).status_code == 404


def test_a_party_not_named_sees_nothing_not_even_a_count(
        live_server: LiveServer, exchange: Exchange, ru: httpx.Client) -> None:
    everything = ru.get(objects_url(exchange)).text
    assert "restricted KAZ data" in everything and "amber for RUS" in everything
    restricted_id = next(i for i in OBJECT_LINK.findall(everything)
                         if i in everything.split("restricted KAZ data")[0][-400:])
    with client_for(live_server, "by") as by:
        listing = by.get(objects_url(exchange)).text
        assert "open green indicator" in listing
        assert "restricted KAZ data" not in listing and "amber for RUS" not in listing
        assert restricted_id not in listing
        assert len(OBJECT_LINK.findall(listing)) == 1
        for filters in ({"tlp": "amber"}, {"direction": "12"}, {"producer": "KAZ"}):
            narrowed = by.get(objects_url(exchange, **filters)).text
            assert "restricted KAZ data" not in narrowed and "amber for RUS" not in narrowed
        hidden = by.get(f"/exchange/collections/{exchange.collection_id}/objects/"
                        f"{restricted_id}")
        missing = by.get(f"/exchange/collections/{exchange.collection_id}/objects/"
                         "indicator--00000000-0000-4000-8000-000000000000")
        assert hidden.status_code == missing.status_code == 404
        green_id = OBJECT_LINK.findall(listing)[0]
        no_such_version = by.get(f"/exchange/collections/{exchange.collection_id}/objects/"
                                 f"{green_id}?version=2001-01-01T00:00:00.000000Z")
        assert no_such_version.status_code == 404
        assert hidden.text.replace(restricted_id, "X") == missing.text.replace(
            "indicator--00000000-0000-4000-8000-000000000000", "X")
        assert by.get("/exchange/audit").status_code == 403


def test_reads_through_the_ui_are_audited_for_the_owner_party_admin(
        live_server: LiveServer, exchange: Exchange, ru: httpx.Client) -> None:
    rt = live_server.node.runtime
    before = len(read_audit(rt, exchange.principals["kz_admin"]))
    listing = ru.get(objects_url(exchange)).text
    restricted_id = next(i for i in OBJECT_LINK.findall(listing)
                         if i in listing.split("restricted KAZ data")[0][-400:])
    page = ru.get(f"/exchange/collections/{exchange.collection_id}/objects/{restricted_id}")
    assert "Restricted access — Art. 6" in page.text
    entries = read_audit(rt, exchange.principals["kz_admin"])
    new = entries[before:]
    assert {e["entry"]["endpoint"] for e in new} >= {"objects", "object"}
    assert all(e["entry"]["reader"]["party"] == "RUS" for e in new)
    with client_for(live_server, "kz_admin") as admin:
        audit = admin.get("/exchange/audit").text
        assert "ru account" in audit and restricted_id in audit
    with client_for(live_server, "kz") as analyst:  # an analyst is not the party-admin
        assert analyst.get("/exchange/audit").status_code == 403


def test_forms_without_csrf_are_refused_and_store_nothing(
        live_server: LiveServer, exchange: Exchange) -> None:
    submit = f"/exchange/collections/{exchange.collection_id}/submit"
    upload = f"/exchange/collections/{exchange.collection_id}/upload"
    with client_for(live_server, "kz") as kz:
        refused = kz.post(submit, data={
            "kind": "indicator", "name": "no token", "directions": ["9"], "tlp": "green",
            "pattern": "[domain-name:value = 'x.example']"})
        assert refused.status_code == 403 and "This form cannot be accepted" in refused.text
        bundle = json.dumps({"type": "bundle", "id": "bundle--1",
                             "objects": [indicator("uploaded without token")]})
        files = {"bundle": ("b.json", bundle.encode(), "application/json")}
        assert kz.post(upload, files=files).status_code == 403
        wrong = kz.post(upload, files=files, data={"csrf_token": "forged"})
        assert wrong.status_code == 403
    names = [json.loads(r.raw).get("name") for r in read_page(
        live_server.node.runtime, exchange.principals["kz"], exchange.collection_id, Query(),
        Endpoint.OBJECTS).rows]
    assert "no token" not in names and "uploaded without token" not in names


def test_a_bundle_upload_is_processed_and_its_status_shown(
        live_server: LiveServer, exchange: Exchange) -> None:
    page = f"/exchange/collections/{exchange.collection_id}/submit"
    upload = f"/exchange/collections/{exchange.collection_id}/upload"
    good = [indicator(f"bulk {n}") for n in range(30)]
    broken = {**indicator("broken one"), "pattern": "[nope"}
    bundle = json.dumps({"type": "bundle", "id": "bundle--5d0a1e7e-7b7e-4a0e-9d6e-1f0c2b3a4d5e",
                         "objects": [*good, broken]}).encode()
    with client_for(live_server, "kz") as kz:
        sent = kz.post(upload, data={"csrf_token": csrf_of(kz.get(page))},
                       files={"bundle": ("bundle.json", bundle, "application/json")})
        assert sent.status_code == 303
        status_url = sent.headers["location"]
        for _ in range(50):
            status = kz.get(status_url)
            if "Done:" in status.text:
                break
            assert 'hx-trigger="every 1s"' in status.text  # still polling
            time.sleep(0.1)
        assert "Done: 31 of 31 objects" in status.text, status.text[-1500:]
        assert 'hx-trigger' not in status.text  # polling stops when nothing is pending
        assert "broken one" not in status.text and "[nope" not in status.text
        assert status.text.count("/objects/indicator--") == 30
        htmx = kz.post(upload, data={"csrf_token": csrf_of(kz.get(page))},
                       files={"bundle": ("b.json", json.dumps({"objects": [state_secret()]}),
                                         "application/json")},
                       headers={"HX-Request": "true"})
        assert htmx.status_code == 200 and "Rule applied: Art. 6" in htmx.text
        assert "<html" not in htmx.text  # only the alert, for htmx to swap in
        plain = kz.post(upload, data={"csrf_token": csrf_of(kz.get(page))},
                        files={"bundle": ("b.json", b"not json", "application/json")})
        assert plain.status_code == 400 and "not valid JSON" in plain.text
        via_htmx = kz.post(upload, data={"csrf_token": csrf_of(kz.get(page))},
                           files={"bundle": ("b.json", json.dumps({"objects": good[:1]}),
                                             "application/json")},
                           headers={"HX-Request": "true"})
        assert via_htmx.status_code == 204
        assert via_htmx.headers["HX-Redirect"].startswith("/exchange/status/")


def test_a_withdrawn_partys_analyst_is_refused_from_the_effective_date(
        live_server: LiveServer, exchange: Exchange) -> None:
    node = live_server.node
    depositary.record_entries(node.runtime, exchange.admin, [
        {"kind": "withdrawal_notice", "party": "BLR", "received": "2026-06-01",
         "withdrawal_date": "2026-12-01"}])
    node.clock.now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    try:
        with client_for(live_server, "by") as by:
            assert by.get(objects_url(exchange)).status_code == 200  # withdrawing: bound
            assert 'href="/exchange"' in by.get("/status").text
            node.clock.now = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # same session
            for page in ("/exchange", objects_url(exchange),
                         f"/exchange/collections/{exchange.collection_id}/submit"):
                refused = by.get(page)
                assert refused.status_code in (403, 404), page
                assert "open green indicator" not in refused.text
            assert by.get("/exchange").status_code == 403
            assert "Art. 6" in by.get("/exchange").text
            assert 'href="/exchange"' not in by.get("/status").text
    finally:
        node.clock.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

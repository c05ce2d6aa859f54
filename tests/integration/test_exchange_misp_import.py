"""Import from MISP on both databases (issue 16, item 7): an event built with pymisp, imported
through misp-stix and the normal intake, exported back with kelisim's MISP export (misp-stix the
other way), values and markings compared; sharing groups as recipients; the report; state
secrets refused like intake refuses them; the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pymisp import MISPEvent, MISPObject

from kelisim.domain.errors import InvalidInput, PermissionDenied, RuleViolation
from kelisim.domain.exchange_policy import Endpoint
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, TLP_MARKING_IDS
from kelisim.domain.taxii import Query
from kelisim.services.exchange import reading
from kelisim.services.exchange.misp_import import import_misp
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange
from tests.integration.test_exchange_confidentiality import visible
from tests.integration.test_exchange_exports import export

VALUES = {"ip-dst": "203.0.113.45", "domain": "import.example", "url": "http://import.example/p",
          "sha256": "e" * 64, "email-src": "sender@import.example"}


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def pymisp_event(tag: str = "tlp:amber", distribution: int = 1) -> MISPEvent:
    event = MISPEvent()
    event.info = "Phishing wave (fictional)"
    event.distribution = distribution
    event.add_tag(tag)
    event.add_tag("circl:incident-classification=\"phishing\"")
    for kind, value in VALUES.items():
        event.add_attribute(kind, value)
    file = MISPObject("file")
    file.add_attribute("filename", "invoice.exe")
    file.add_attribute("sha256", "f" * 64)
    event.add_object(file)
    return event


def imported(ex: Exchange, who: str, event: MISPEvent | dict[str, Any], **kw: Any
             ) -> dict[str, Any]:
    document = event if isinstance(event, dict) else {"Event": json.loads(event.to_json())}
    return import_misp(ex.node.runtime, ex.principals[who], "main",
                       json.dumps(document).encode(), **kw)


def test_an_event_built_with_pymisp_comes_back_with_its_values_and_markings(
        ex: Exchange) -> None:
    event = pymisp_event()
    event.add_attribute("comment", "seen in the wild")  # no STIX pattern: a custom object
    done = imported(ex, "kz", event)
    status = done["status"]
    assert status["failure_count"] == 0, status.get("failures")
    assert status["success_count"] == done["objects"] > 10
    back = MISPEvent()
    back.load(export(ex, "kz", "misp").decode())
    got = {a.value: {t.name for t in a.tags} for a in back.attributes}
    assert got == {value: {"tlp:amber"} for value in VALUES.values()}
    assert {a.uuid for a in back.attributes} == {a.uuid for a in event.attributes[:-1]}
    [file] = back.objects
    assert file.uuid == event.objects[0].uuid
    assert {a.value for a in file.attributes} == {"invoice.exe", "f" * 64}
    assert [t.name for t in back.tags] == ["tlp:amber"]
    kinds = {(f["kind"], f["item"]) for f in done["report"]}
    assert ("tag", 'circl:incident-classification="phishing"') in kinds
    assert ("recipients", "(community distribution)") in kinds  # AMBER: no one named
    assert any(f["kind"] == "conversion" and "comment" in f["reason"] for f in done["report"])
    assert f"x-misp-attribute--{event.attributes[-1].uuid}" in visible(ex, "kz")
    assert visible(ex, "ru") == set()  # AMBER, no recipients: the producing Party only


def test_recipients_given_widen_amber_to_those_parties(ex: Exchange) -> None:
    event = pymisp_event()
    done = imported(ex, "kz", event, recipients=["rus"])
    assert done["status"]["failure_count"] == 0
    assert not any(f["kind"] == "recipients" for f in done["report"])
    seen = visible(ex, "ru")
    assert len(seen) == done["objects"]
    assert {f"indicator--{a.uuid}" for a in event.attributes} <= seen
    assert visible(ex, "by") == set()
    back = MISPEvent()
    back.load(export(ex, "ru", "misp").decode())
    assert {a.value for a in back.attributes} == set(VALUES.values())


def test_a_sharing_group_names_its_organisations_parties_and_reports_the_rest(
        ex: Exchange) -> None:
    event = pymisp_event(tag="tlp:green", distribution=4)
    document = {"Event": json.loads(event.to_json())}
    document["Event"]["SharingGroup"] = {
        "name": "CIS CERTs", "SharingGroupOrg": [
            {"Organisation": {"name": "RU-CERT"}}, {"Organisation": {"name": "Somewhere CERT",
                                                                    "nationality": "France"}}]}
    done = imported(ex, "kz", document)
    assert done["status"]["failure_count"] == 0, done["status"].get("failures")
    unmapped = [f for f in done["report"] if f["kind"] == "sharing-group"]
    assert len(unmapped) == 1 and "Somewhere CERT" in unmapped[0]["reason"]
    assert len(visible(ex, "ru")) == done["objects"]
    assert visible(ex, "by") == set()
    indicator = f"indicator--{event.attributes[0].uuid}"
    page = reading.read_page(ex.node.runtime, ex.principals["ru"], "main", Query(limit=1),
                             Endpoint.OBJECT, indicator)
    stored = json.loads(page.rows[-1].raw)
    assert stored["object_marking_refs"] == [TLP_MARKING_IDS["amber"]]  # distribution 4
    assert stored["extensions"][KELISIM_EXTENSION_ID]["recipients"] == {
        "parties": [], "bodies": ["RUS/RU-CERT"]}


def test_tlp_red_and_state_secrets(ex: Exchange) -> None:
    red = imported(ex, "kz", pymisp_event(tag="tlp:red"), recipients=["RUS"])
    assert red["status"]["failure_count"] == 0
    back = MISPEvent()
    back.load(export(ex, "ru", "misp").decode())
    assert {t.name for a in back.attributes for t in a.tags} == {"tlp:red"}
    assert visible(ex, "by") == set()
    before = visible(ex, "kz")
    for tag in ('nato:classification="NS"', "classification:SECRET", "kelisim:state-secret"):
        with pytest.raises(RuleViolation) as refused:
            imported(ex, "kz", pymisp_event(tag=tag))
        assert refused.value.article == "Art. 6"
        assert tag not in str(refused.value)
    secret_text = pymisp_event()
    secret_text.add_attribute("comment", "Отчёт. СЕКРЕТНО")
    with pytest.raises(RuleViolation):
        imported(ex, "kz", secret_text)
    assert visible(ex, "kz") == before


def test_who_may_import_and_bad_documents(ex: Exchange) -> None:
    for who in ("kz_reader", "depositary", "cert"):
        with pytest.raises(PermissionDenied):
            imported(ex, who, pymisp_event())
    rt = ex.node.runtime
    for body in (b"", b"{not json", b"[]", b'{"Event": 3}', b'{"type": "bundle"}',
                 b'{"Event": {"Attribute": [{"type": "domain", "value": "a.example"}]}}'):
        with pytest.raises(InvalidInput):
            import_misp(rt, ex.principals["kz"], "main", body)
    with pytest.raises(InvalidInput):
        imported(ex, "kz", pymisp_event(), recipients=["FRA"])


def test_kelisim_import_misp(ex: Exchange, kelisim: Any, database_url: str,
                             tmp_path: Any) -> None:
    event = pymisp_event(tag="tlp:green")
    event.add_tag("cli:unmapped")
    path = tmp_path / "event.json"
    path.write_text(event.to_json())
    where = ("--database-url", database_url, "--data-dir", tmp_path, "import", "misp")
    code, out, err = kelisim(*where, path, "--collection", "main", "--token", ex.tokens["kz"])
    assert code == 0, err
    assert " objects stored, 0 failed (1 MISP event(s))" in out
    assert "not mapped  event 0  tag  cli:unmapped: " in out
    assert f"indicator--{event.attributes[0].uuid}" in visible(ex, "by")  # GREEN: every Party
    code, _, err = kelisim(*where, tmp_path / "nope.json", "--collection", "main",
                           "--token", ex.tokens["kz"])
    assert code == 1 and err.startswith("error: cannot read") and len(err.splitlines()) == 1
    path.write_text("{broken")
    code, _, err = kelisim(*where, path, "--collection", "main", "--token", ex.tokens["kz"])
    assert code == 1 and err.startswith("error: The MISP document is not valid JSON")
    assert len(err.splitlines()) == 1
    code, _, err = kelisim(*where, path, "--collection", "main")
    assert code == 1 and err.startswith("error: an import posts as an account")

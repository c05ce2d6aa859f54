"""The MISP mapping as a table (decision 0021): event distribution x TLP tag -> TLP 2.0
marking, recipients and report; the stricter wins; attributes, objects and sharing groups;
state secrets refused; documents accepted and refused."""

from __future__ import annotations

from typing import Any

import pytest

from kelisim.domain.errors import InvalidInput, RuleViolation
from kelisim.domain.stix import misp_mapping as m
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, TLP_MARKING_IDS

EVENT = "11111111-1111-4111-8111-111111111111"
ATTRIBUTE = "22222222-2222-4222-8222-222222222222"
DIRECTORY = m.Directory({"RUS": frozenset({"RU-CERT"}), "KAZ": frozenset({"KZ-CERT"})})
NONE = frozenset[str]()

# distribution, tag -> TLP 2.0, recipients (None: not narrowed), report kinds
TABLE: list[tuple[Any, str | None, str, frozenset[str] | None, set[str]]] = [
    (0, None, "amber+strict", NONE, set()),
    (1, None, "green", None, set()),
    (2, None, "green", None, set()),
    (3, None, m.UNSTATED, None, set()),  # marked GREEN, see below
    (4, None, "amber", frozenset({"RUS/RU-CERT"}), set()),
    (None, None, m.UNSTATED, None, {"distribution"}),
    (5, None, "amber+strict", NONE, {"distribution"}),  # 5 has no parent on an event
    ("x", None, "amber+strict", NONE, {"distribution"}),
    (0, "tlp:clear", "amber+strict", NONE, set()),
    (1, "tlp:white", "green", None, set()),  # community GREEN is stricter than CLEAR
    (3, "tlp:clear", "clear", None, set()),
    (3, "tlp:amber", "amber", None, set()),
    (2, "tlp:clear", "green", None, set()),
    (1, "tlp:green", "green", None, set()),
    (1, "tlp:amber", "amber", None, set()),
    (1, "TLP:AMBER+STRICT", "amber+strict", None, set()),
    (1, "tlp:red", "red", None, set()),
    (0, "tlp:red", "red", NONE, set()),
    (4, "tlp:green", "amber", frozenset({"RUS/RU-CERT"}), set()),
    (4, "tlp:red", "red", frozenset({"RUS/RU-CERT"}), set()),
    (1, "tlp:unclear", "green", None, {"tag"}),
    (None, "tlp:amber", "amber", None, {"distribution"}),
]


def event(distribution: Any = 1, tag: str | None = None, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"uuid": EVENT, "info": "fictional", "Attribute": [], **more}
    if distribution is not None:
        found["distribution"] = str(distribution)
    if tag:
        found["Tag"] = [{"name": tag}]
    if distribution == 4:
        found.setdefault("SharingGroup", {"name": "g", "SharingGroupOrg": [
            {"Organisation": {"name": "ru-cert"}}]})
    return found


@pytest.mark.parametrize(("distribution", "tag", "tlp", "recipients", "kinds"), TABLE)
def test_the_event_table(distribution: Any, tag: str | None, tlp: str,
                         recipients: frozenset[str] | None, kinds: set[str]) -> None:
    planned = m.plan(event(distribution, tag), DIRECTORY)
    assert planned.event == m.Access(tlp, recipients)
    assert {f.kind for f in planned.findings} == kinds


def test_the_stricter_wins_from_event_to_attribute_and_object() -> None:
    found = event(1, "tlp:green", Attribute=[
        {"uuid": ATTRIBUTE, "type": "domain", "value": "a.example", "distribution": "5",
         "Tag": [{"name": "tlp:amber"}]},
        {"uuid": "a3", "type": "domain", "value": "b.example", "distribution": "3"},
        {"uuid": "a4", "type": "domain", "value": "c.example", "distribution": "0"}],
        Object=[{"uuid": "o1", "name": "file", "distribution": "5", "Attribute": [
            {"uuid": "o1a", "type": "sha256", "value": "e" * 64, "Tag": [{"name": "tlp:red"}]}
        ]}])
    planned = m.plan(found, DIRECTORY)
    assert planned.by_uuid[ATTRIBUTE] == m.Access("amber", None)
    assert planned.by_uuid["a3"] == m.Access("green", None)  # never wider than the event
    assert planned.by_uuid["a4"] == m.Access("amber+strict", NONE)
    assert planned.by_uuid["o1"] == m.Access("red", None)  # an object: its strictest part


def test_sharing_groups_name_parties_and_bodies_and_report_the_rest() -> None:
    group = {"name": "CIS", "SharingGroupOrg": [
        {"Organisation": {"name": "RU-CERT"}}, {"Organisation": {"name": "Ministry",
                                                                "nationality": "Kazakhstan"}},
        {"Organisation": {"name": "Армения"}}, {"Organisation": {"name": "Elsewhere"}}]}
    planned = m.plan(event(4, SharingGroup=group), DIRECTORY)
    assert planned.event.recipients == {"RUS/RU-CERT", "KAZ", "ARM"}
    [finding] = planned.findings
    assert finding.kind == "sharing-group" and "Elsewhere" in finding.reason
    nothing = m.plan(event(4, SharingGroup={"name": "far", "SharingGroupOrg": [
        {"Organisation": {"name": "Elsewhere"}}]}), DIRECTORY)
    assert nothing.event == m.Access("amber", NONE)
    assert len(nothing.findings) == 2
    unknown = event(4)
    del unknown["SharingGroup"]
    unknown["sharing_group_id"] = "7"
    assert m.plan(unknown, DIRECTORY).findings[0].item == "7"


def test_recipients_meet_a_body_within_its_party() -> None:
    assert m.meet(frozenset({"RUS"}), frozenset({"RUS/RU-CERT", "KAZ"})) == {"RUS/RU-CERT"}
    assert m.meet(None, frozenset({"KAZ"})) == {"KAZ"}
    assert m.meet(frozenset(), None) == frozenset()


def stix(kind: str, uuid: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "id": f"{kind}--{uuid}", **more}


def test_apply_marks_each_object_and_reports_what_was_not_mapped() -> None:
    found = event(1, None, Tag=[{"name": "tlp:amber"}, {"name": "pap:red"},
                                       {"name": "gone"}],
                  Attribute=[{"uuid": ATTRIBUTE, "type": "domain", "value": "a.example",
                              "Tag": [{"name": "tlp:red"}]},
                             {"uuid": "lost", "type": "dkim", "value": "x"}],
                  Galaxy=[{"type": "threat-actor", "GalaxyCluster": [
                      {"uuid": "c1", "value": "Fictional Bear"}]}])
    planned = m.plan(found, DIRECTORY, default_recipients=["BLR"])
    converted = [
        stix("grouping", EVENT, labels=["pap:red"],
             object_marking_refs=["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]),
        stix("indicator", ATTRIBUTE, labels=[]), stix("domain-name", ATTRIBUTE),
        stix("relationship", "r", source_ref=f"indicator--{ATTRIBUTE}",
             target_ref=f"observed-data--{ATTRIBUTE}"),
        {"type": "marking-definition", "id": "marking-definition--f88d31f6-486f-44da-b317-"
                                             "01333bde0b82", "definition_type": "tlp"},
        {"type": "marking-definition", "id": "marking-definition--x", "name": "odd"}]
    out, findings = m.apply(converted, planned, ["warning (x): MISP Attribute type dkim"])
    marks = {o["id"]: (o["object_marking_refs"], o["extensions"][KELISIM_EXTENSION_ID]
                       ["recipients"]) for o in out}
    assert marks == {
        f"grouping--{EVENT}": ([TLP_MARKING_IDS["amber"]], {"parties": ["BLR"], "bodies": []}),
        f"indicator--{ATTRIBUTE}": ([TLP_MARKING_IDS["red"]], {"parties": ["BLR"],
                                                               "bodies": []}),
        f"domain-name--{ATTRIBUTE}": ([TLP_MARKING_IDS["red"]], {"parties": ["BLR"],
                                                                 "bodies": []}),
        "relationship--r": ([TLP_MARKING_IDS["red"]], {"parties": ["BLR"], "bodies": []})}
    report = {(f.kind, f.item): f.reason for f in findings}
    assert "kept as a STIX label" in report[("tag", "pap:red")]
    assert "did not carry it" in report[("tag", "gone")]
    assert "did not convert" in report[("attribute", "dkim")]
    assert "did not convert" in report[("galaxy", "threat-actor: Fictional Bear")]
    assert ("marking", "odd") in report and ("conversion", "misp-stix") in report
    assert ("recipients", "(community distribution)") not in report  # BLR was given


@pytest.mark.parametrize(("distribution", "tag", "marking"), [
    (3, None, "green"), (None, None, "green"), (3, "tlp:clear", "clear"), (1, None, "green"),
    (0, None, "amber+strict")])
def test_the_marking_written(distribution: Any, tag: str | None, marking: str) -> None:
    out, _ = m.apply([stix("grouping", EVENT)], m.plan(event(distribution, tag), DIRECTORY))
    assert out[0]["object_marking_refs"] == [TLP_MARKING_IDS[marking]]


def test_amber_without_recipients_is_reported_once() -> None:
    planned = m.plan(event(2, "tlp:amber"), DIRECTORY)
    out, findings = m.apply([stix("grouping", EVENT)], planned)
    assert "extensions" not in out[0]
    assert [f.kind for f in findings] == ["recipients"]


@pytest.mark.parametrize("tag", ['nato:classification="NS"', "classification:SECRET",
                                 "kelisim:state-secret", 'gov="СОВЕРШЕННО СЕКРЕТНО"'])
def test_state_secret_tags_refuse_the_whole_import(tag: str) -> None:
    events = [event(1), event(1, Attribute=[{"uuid": "a", "type": "domain", "value": "x",
                                             "Tag": [{"name": tag}]}])]
    with pytest.raises(RuleViolation) as refused:
        m.refuse_state_secrets(events)
    assert refused.value.article == "Art. 6"
    assert "positions 1" in str(refused.value) and tag not in str(refused.value)


def test_ordinary_tags_and_text_pass_the_state_secret_check() -> None:
    m.refuse_state_secrets([event(1, "tlp:red", Attribute=[
        {"uuid": "a", "type": "comment", "value": "a secret key was leaked",
         "Tag": [{"name": 'nato:classification="NU"'}]}])])


@pytest.mark.parametrize("document", [
    {"Event": event()}, event(), [{"Event": event()}, event()], {"response": [{"Event": event()}]}])
def test_documents_as_misp_exports_them(document: Any) -> None:
    assert all(e["uuid"] == EVENT for e in m.events_of(document))


@pytest.mark.parametrize("document", [[], {"response": []}, 3, "x", {"type": "bundle"},
                                      {"Event": []}, {"Event": {"info": "x", "Attribute": 3}}])
def test_what_is_not_a_misp_event(document: Any) -> None:
    with pytest.raises(InvalidInput):
        m.events_of(document)

"""The MITRE ATT&CK catalogue shipped offline (pymispgalaxies) and the STIX references to it."""

from __future__ import annotations

from typing import Any

from kelisim.domain.attack import catalogue, reference_problems, technique_ids


def attack_pattern(*refs: dict[str, Any], phases: list[dict[str, Any]] = ()) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": "attack-pattern", "external_references": list(refs)}
    if phases:
        obj["kill_chain_phases"] = list(phases)
    return obj


def ref(external_id: str, source: str = "mitre-attack") -> dict[str, str]:
    return {"source_name": source, "external_id": external_id}


def test_a_known_technique_its_sub_techniques_and_its_tactic() -> None:
    known = catalogue()
    phishing = known.technique("T1566")
    assert phishing is not None and phishing.name == "Phishing"
    assert phishing.tactics == ("initial-access",) and phishing.parent is None
    assert "T1566.001" in phishing.subtechniques
    sub = known.technique("t1566.001")  # ids are read case-blind
    assert sub is not None and sub.name == "Spearphishing Attachment" and sub.parent == "T1566"
    assert known.tactic("TA0001") == known.tactic("initial-access")
    initial = known.tactic("initial-access")
    assert initial is not None and initial.name == "Initial Access" and initial.id == "TA0001"
    command = known.tactic("command-and-control")
    assert command is not None and command.name == "Command and Control"
    assert "pymispgalaxies" in known.version and "mitre-attack-pattern" in known.version
    assert len(known.techniques) > 600  # enterprise alone has more than 600 with sub-techniques


def test_select_by_tactic_and_word_in_id_order() -> None:
    known = catalogue()
    found = known.select(tactic="TA0001", word="phish")
    assert [t.id for t in found][:2] == ["T1566", "T1566.001"]
    assert all("initial-access" in t.tactics for t in found)
    assert known.select(tactic="no-such-tactic") == []
    assert all(not t.revoked for t in known.select())
    assert len(known.select(with_revoked=True)) >= len(known.select())


def test_an_unknown_technique_is_refused_citing_its_place_and_attack() -> None:
    assert reference_problems(attack_pattern(ref("T1566"), ref("T1566.001"))) == []
    problems = reference_problems(attack_pattern(ref("T1566"), ref("T9999")))
    assert len(problems) == 1
    assert problems[0].startswith("external_references[1].external_id: 'T9999'")
    assert "MITRE ATT&CK" in problems[0]
    assert reference_problems(attack_pattern(ref("T1566.1")))  # not a technique id
    assert reference_problems(attack_pattern(ref("TA9999")))  # no such tactic
    assert reference_problems(attack_pattern(ref("TA0011"))) == []
    # other ATT&CK ids (groups, software, mitigations) and other sources are not checked
    assert reference_problems(attack_pattern(ref("G0007"), ref("S0002"), ref("M1049"))) == []
    assert reference_problems(attack_pattern(ref("T9999", source="capec"))) == []
    assert reference_problems("not an object") == []


def test_kill_chain_phases_of_attack_name_a_tactic() -> None:
    good = attack_pattern(phases=[{"kill_chain_name": "mitre-attack",
                                   "phase_name": "initial-access"},
                                  {"kill_chain_name": "lockheed", "phase_name": "weapon"}])
    assert reference_problems(good) == []
    bad = attack_pattern(phases=[{"kill_chain_name": "mitre-attack", "phase_name": "lunch"}])
    assert reference_problems(bad)[0].startswith("kill_chain_phases[0].phase_name: 'lunch'")


def test_technique_ids_are_those_of_attack_each_once() -> None:
    obj = attack_pattern(ref("T1566"), ref("T1566"), ref("TA0001"), ref("T1059", "capec"),
                         ref("T1566.002"))
    assert technique_ids(obj) == ["T1566", "T1566.002"]

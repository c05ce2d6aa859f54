"""MITRE ATT&CK techniques and tactics, offline, and the STIX references to them (issue 16, item 4).

Why this source: the `pymispgalaxies` package (the MISP project's own, on the package index)
ships the MISP galaxy clusters as data, among them `mitre-attack-pattern`: every ATT&CK
technique and sub-technique (enterprise, mobile and the retired PRE-ATT&CK) with its
`external_id` (T1566, T1566.001), its tactics (`kill_chain`: platform, then the tactic's short
name), its `subtechnique-of` relations and whether it is revoked. Nothing is fetched at run time;
the data's version (the cluster's and the package's) is shown with it (docs/decisions/0020).

The catalogue is read once per process (`catalogue()`, about 40 ms), lazily, the first time a
reference or a technique list needs it. Technique and tactic names stay ATT&CK's own, in English.

STIX 2.1 links an object to ATT&CK with what it already has (§2.5, §2.6): an external reference
whose `source_name` is "mitre-attack" and whose `external_id` is the technique's id, and a kill
chain phase whose `kill_chain_name` is "mitre-attack" and whose `phase_name` is the tactic's short
name. `reference_problems` refuses a technique id (T####, T####.###) or tactic id (TA####) the
catalogue does not know, and a "mitre-attack" phase naming no tactic; other ATT&CK ids (groups,
software, mitigations) are not in this catalogue and are left as they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from typing import Any

__all__ = ["SOURCE", "Catalogue", "Tactic", "Technique", "catalogue", "reference_problems",
           "tactics_of", "technique_ids", "techniques_of"]

SOURCE = "mitre-attack"
SPEC = "MITRE ATT&CK; STIX 2.1 §2.5"
TECHNIQUE_RE = re.compile(r"T\d{4}(?:\.\d{3})?")
TACTIC_RE = re.compile(r"TA\d{4}")
_CLUSTER = "data/misp-galaxy/clusters/mitre-attack-pattern.json"

# The enterprise tactics' ids and names (ATT&CK's, stable since v8). The galaxy names tactics by
# short name only; a short name not listed here (mobile-only, PRE-ATT&CK) is named from itself.
_TACTICS = (
    ("TA0043", "reconnaissance", "Reconnaissance"),
    ("TA0042", "resource-development", "Resource Development"),
    ("TA0001", "initial-access", "Initial Access"),
    ("TA0002", "execution", "Execution"),
    ("TA0003", "persistence", "Persistence"),
    ("TA0004", "privilege-escalation", "Privilege Escalation"),
    ("TA0005", "defense-evasion", "Defense Evasion"),
    ("TA0006", "credential-access", "Credential Access"),
    ("TA0007", "discovery", "Discovery"),
    ("TA0008", "lateral-movement", "Lateral Movement"),
    ("TA0009", "collection", "Collection"),
    ("TA0011", "command-and-control", "Command and Control"),
    ("TA0010", "exfiltration", "Exfiltration"),
    ("TA0040", "impact", "Impact"),
)


@dataclass(frozen=True, slots=True)
class Tactic:
    shortname: str
    name: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str
    tactics: tuple[str, ...]  # short names, in ATT&CK's order
    parent: str | None = None  # a sub-technique's technique
    subtechniques: tuple[str, ...] = ()
    revoked: bool = False


@dataclass(frozen=True)
class Catalogue:
    techniques: dict[str, Technique]
    tactics: dict[str, Tactic]  # by short name
    version: str  # e.g. "mitre-attack-pattern 33 (pymispgalaxies 1.1.1)"

    def technique(self, technique_id: str) -> Technique | None:
        return self.techniques.get(technique_id.strip().upper())

    def tactic(self, key: str) -> Tactic | None:
        """A tactic by short name ("initial-access") or id ("TA0001")."""
        key = key.strip()
        if TACTIC_RE.fullmatch(key.upper()):
            return next((t for t in self.tactics.values() if t.id == key.upper()), None)
        return self.tactics.get(key.lower())

    def select(self, tactic: str | None = None, word: str | None = None,
               with_revoked: bool = False) -> list[Technique]:
        """Techniques in id order, of one tactic and/or whose id or name contains the word."""
        shortname = None
        if tactic:
            found = self.tactic(tactic)
            if found is None:
                return []
            shortname = found.shortname
        folded = word.casefold().strip() if word else None
        return [t for t in self.techniques.values()
                if (with_revoked or not t.revoked)
                and (shortname is None or shortname in t.tactics)
                and (folded is None or folded in t.id.casefold() or folded in t.name.casefold())]


def _tactic_order() -> dict[str, int]:
    return {short: i for i, (_, short, _) in enumerate(_TACTICS)}


def _name_of(shortname: str) -> str:
    return " ".join(word.capitalize() if word != "and" else word
                    for word in shortname.split("-"))


def load(values: list[dict[str, Any]], version: str) -> Catalogue:
    """The catalogue of the galaxy's cluster values (the cluster file's `values`)."""
    by_uuid = {v["uuid"]: v["meta"]["external_id"] for v in values if "external_id" in v["meta"]}
    order = _tactic_order()
    tactics = {short: Tactic(short, name, ident) for ident, short, name in _TACTICS}
    raw: dict[str, dict[str, Any]] = {}
    children: dict[str, list[str]] = {}
    for value in values:
        ident = value["meta"].get("external_id")
        if not isinstance(ident, str) or not TECHNIQUE_RE.fullmatch(ident):
            continue
        shorts = dict.fromkeys(k.rsplit(":", 1)[-1] for k in value["meta"].get("kill_chain", ()))
        for short in shorts:
            tactics.setdefault(short, Tactic(short, _name_of(short)))
        parent = next((by_uuid.get(r["dest-uuid"]) for r in value.get("related", ())
                       if r.get("type") == "subtechnique-of"), None)
        name = value["value"].removesuffix(f" - {ident}")
        raw[ident] = {"name": name, "parent": parent, "revoked": bool(value.get("revoked")),
                      "tactics": tuple(sorted(shorts, key=lambda s: (order.get(s, 99), s)))}
        if parent:
            children.setdefault(parent, []).append(ident)
    techniques = {ident: Technique(ident, r["name"], r["tactics"], r["parent"],
                                   tuple(sorted(children.get(ident, ()))), r["revoked"])
                  for ident, r in sorted(raw.items())}
    return Catalogue(techniques, tactics, version)


@cache
def catalogue() -> Catalogue:
    """The ATT&CK catalogue shipped in `pymispgalaxies`, read once per process."""
    text = resources.files("pymispgalaxies").joinpath(_CLUSTER).read_text(encoding="utf-8")
    cluster = json.loads(text)
    version = (f"MISP galaxy {cluster['type']} {cluster['version']} "
               f"(pymispgalaxies {metadata.version('pymispgalaxies')})")
    return load(cluster["values"], version)


def _attack_references(obj: dict[str, Any]) -> list[tuple[int, str]]:
    refs = obj.get("external_references")
    return [(i, ref["external_id"]) for i, ref in enumerate(refs if isinstance(refs, list) else ())
            if isinstance(ref, dict) and ref.get("source_name") == SOURCE
            and isinstance(ref.get("external_id"), str)]


def reference_problems(obj: Any) -> list[str]:
    """Why the object's ATT&CK references cannot be accepted ([] if they can, or it has none);
    each reason names the reference's place."""
    if not isinstance(obj, dict):
        return []
    out: list[str] = []
    references = _attack_references(obj)
    phases = obj.get("kill_chain_phases")
    attack_phases = [(i, p.get("phase_name")) for i, p in
                     enumerate(phases if isinstance(phases, list) else ())
                     if isinstance(p, dict) and p.get("kill_chain_name") == SOURCE]
    if not references and not attack_phases:
        return out
    known = catalogue()
    for i, ident in references:
        if TECHNIQUE_RE.fullmatch(ident) and known.technique(ident) is None:
            out.append(f"external_references[{i}].external_id: {ident[:20]!r} is no technique "
                       f"of MITRE ATT&CK as shipped ({known.version}) ({SPEC})")
        elif TACTIC_RE.fullmatch(ident) and known.tactic(ident) is None:
            out.append(f"external_references[{i}].external_id: {ident[:20]!r} is no tactic "
                       f"of MITRE ATT&CK as shipped ({known.version}) ({SPEC})")
        elif ident.upper().startswith("T") and ident[1:2].isdigit() \
                and not TECHNIQUE_RE.fullmatch(ident):
            out.append(f"external_references[{i}].external_id: {ident[:20]!r} is not a MITRE "
                       f"ATT&CK technique id (T####, or T####.### for a sub-technique) ({SPEC})")
    for i, phase in attack_phases:
        if not isinstance(phase, str) or phase not in known.tactics:
            out.append(f"kill_chain_phases[{i}].phase_name: {str(phase)[:40]!r} is no tactic "
                       f"of MITRE ATT&CK (its short name, e.g. 'initial-access') "
                       f"(MITRE ATT&CK; STIX 2.1 §2.6)")
    return out


def technique_ids(obj: dict[str, Any]) -> list[str]:
    """The ATT&CK technique ids an (accepted) object refers to, each once, in order."""
    return list(dict.fromkeys(ident for _, ident in _attack_references(obj)
                              if TECHNIQUE_RE.fullmatch(ident)))


def techniques_of(obj: dict[str, Any]) -> list[Technique]:
    """The known techniques an object refers to (for its page)."""
    known = catalogue()
    return [t for t in (known.technique(i) for i in technique_ids(obj)) if t is not None]


def tactics_of(obj: dict[str, Any]) -> list[Tactic]:
    """The ATT&CK tactics of the object's kill chain phases (for its page)."""
    phases = obj.get("kill_chain_phases")
    if not isinstance(phases, list):
        return []
    known = catalogue()
    return [known.tactics[p["phase_name"]] for p in phases
            if isinstance(p, dict) and p.get("kill_chain_name") == SOURCE
            and p.get("phase_name") in known.tactics]

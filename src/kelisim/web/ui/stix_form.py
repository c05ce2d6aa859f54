"""STIX 2.1 objects built from the exchange's submission form, and what the form got wrong.

The form asks for what an analyst knows (a name, a pattern or the objects a report covers, the
Art. 3 directions, the Art. 2 threat class, a TLP 2.0 level and its recipients, and whether the
information is of restricted access under the owner's law, Art. 2 and 6); this module turns it
into the objects STIX 2.1 wants (an `indicator` §4.7 or a `report` §4.14, the kelisim property
extension, a TLP 2.0 marking reference and, for restricted access, a `marking-definition` of the
restricted-access extension; docs/stix-extensions.md). The checks are the intake's own
(`validate_stix_object`, `pattern_error`), run before anything is sent, so the form can say
which field is wrong; the exchange checks again on intake.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kelisim.domain.agreement_text import THREAT_CLASSES, directions
from kelisim.domain.attack import SOURCE, catalogue, reference_problems
from kelisim.domain.inputs import ascii_number
from kelisim.domain.stix.extension import (
    KELISIM_EXTENSION_ID,
    RESTRICTED_ACCESS_EXTENSION_ID,
    TLP_MARKING_IDS,
)
from kelisim.domain.stix.patterns import pattern_error
from kelisim.domain.stix.validation import validate_stix_object
from kelisim.web.ui.i18n import N_

KINDS = ("indicator", "report")
TLP_LEVELS = ("clear", "green", "amber", "amber+strict", "red")
NAMED_TLP = frozenset({"amber", "amber+strict", "red"})
"""TLP levels whose recipients must be named (FIRST TLP 2.0; docs/decisions/0004)."""
INDICATOR_TYPES = ("malicious-activity", "anomalous-activity", "attribution", "compromised",
                   "benign", "unknown")
"""indicator-type-ov (STIX 2.1 §10.9)."""
REPORT_TYPES = ("threat-report", "attack-pattern", "campaign", "identity", "indicator",
                "intrusion-set", "malware", "observed-data", "threat-actor", "tool",
                "vulnerability")
"""report-type-ov (STIX 2.1 §10.22)."""
PATTERN_EXAMPLES = ("[domain-name:value = 'bad.example']",
                    "[ipv4-addr:value = '198.51.100.7']",
                    "[file:hashes.'SHA-256' = '<64 hex digits>']",
                    "[url:value = 'http://bad.example/x'] OR [ipv4-addr:value = '203.0.113.9']")


@dataclass
class Submission:
    """The form's values, kept to re-render the form with its errors."""

    kind: str = "indicator"
    name: str = ""
    description: str = ""
    pattern: str = ""
    valid_from: str = ""
    indicator_type: str = "malicious-activity"
    published: str = ""
    report_type: str = "threat-report"
    object_refs: str = ""
    directions: list[int] = field(default_factory=list)
    threat_class: str = ""
    tlp: str = "green"
    recipients: list[str] = field(default_factory=list)
    restricted: bool = False
    legal_basis: str = ""
    allowed: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)


TECHNIQUE_FIELDS = 3
"""Technique fields on the form, each picked from the list of ATT&CK techniques."""


@dataclass(frozen=True)
class Problem:
    """A field and what is wrong with it: `message` is a msgid the UI translates, `detail` the
    validator's own sentence (English, citing the STIX 2.1 section) when there is one."""

    field: str
    message: str
    detail: str = ""


def read_form(form: Mapping[str, Any], getlist: Any) -> Submission:
    def text(name: str, limit: int = 10_000) -> str:
        return str(form.get(name, "")).strip()[:limit]

    numbers = [n for v in getlist("directions") if (n := ascii_number(str(v))) is not None]
    return Submission(
        kind=text("kind", 20), name=text("name", 500), description=text("description"),
        pattern=text("pattern"), valid_from=text("valid_from", 40),
        indicator_type=text("indicator_type", 60), published=text("published", 40),
        report_type=text("report_type", 60), object_refs=text("object_refs"),
        directions=sorted(set(numbers)), threat_class=text("threat_class", 40),
        tlp=text("tlp", 20), recipients=sorted({str(p).upper() for p in getlist("recipients")}),
        restricted=form.get("restricted") == "1", legal_basis=text("legal_basis", 1000),
        allowed=sorted({str(p).upper() for p in getlist("allowed")}),
        techniques=list(dict.fromkeys(
            t.split()[0].upper() for v in getlist("techniques")[:TECHNIQUE_FIELDS]
            if (t := str(v).strip()[:200]))))


def build(sub: Submission, party: str, now: datetime) -> tuple[list[dict[str, Any]],
                                                              list[Problem]]:
    """The objects to post (the marking-definition first, if any) and the problems found."""
    problems = _check_fields(sub)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    objects: list[dict[str, Any]] = []
    refs = [TLP_MARKING_IDS[sub.tlp]] if sub.tlp in TLP_MARKING_IDS else []
    if sub.restricted:
        marking = restricted_marking(party, sub.legal_basis, sub.allowed, stamp)
        objects.append(marking)
        refs.append(marking["id"])
    main: dict[str, Any] = {"type": sub.kind if sub.kind in KINDS else "indicator",
                            "spec_version": "2.1", "id": "", "created": stamp,
                            "modified": stamp, "name": sub.name}
    main["id"] = f"{main['type']}--{uuid.uuid4()}"
    if sub.description:
        main["description"] = sub.description
    if main["type"] == "indicator":
        main.update(indicator_types=[sub.indicator_type], pattern=sub.pattern,
                    pattern_type="stix", valid_from=_timestamp(sub.valid_from, stamp))
    else:
        main.update(report_types=[sub.report_type], published=_timestamp(sub.published, stamp),
                    object_refs=_lines(sub.object_refs))
    if refs:
        main["object_marking_refs"] = refs
    if sub.techniques:
        main["external_references"] = [attack_reference(t) for t in sub.techniques]
    extension: dict[str, Any] = {"extension_type": "property-extension",
                                 "art3_directions": sub.directions}
    if sub.threat_class:
        extension["threat_class"] = sub.threat_class
    if sub.recipients:
        extension["recipients"] = {"parties": sub.recipients}
    main["extensions"] = {KELISIM_EXTENSION_ID: extension}
    objects.append(main)
    if not problems:
        for obj in objects:
            problems += [Problem(_field_of(reason), N_("Not valid STIX 2.1:"), reason)
                         for reason in [*validate_stix_object(obj), *reference_problems(obj)]]
    return objects, problems


def attack_reference(technique_id: str) -> dict[str, str]:
    """The STIX external reference to an ATT&CK technique (STIX 2.1 §2.5), as MITRE's own
    STIX data writes it."""
    return {"source_name": SOURCE, "external_id": technique_id,
            "url": "https://attack.mitre.org/techniques/" + technique_id.replace(".", "/")}


def restricted_marking(owner: str, legal_basis: str, allowed: Sequence[str],
                       stamp: str) -> dict[str, Any]:
    """A restricted-access marking-definition (Art. 2, 6; docs/stix-extensions.md).

    The definition itself names the owner, its law and the Parties allowed: that too is shared
    only with them (TLP:RED with those Parties as recipients), so a Party not named does not
    learn that restricted information exists."""
    parties = sorted(set(allowed) | {owner})
    return {"type": "marking-definition", "spec_version": "2.1",
            "id": f"marking-definition--{uuid.uuid4()}", "created": stamp,
            "name": f"restricted-access information of {owner}",
            "object_marking_refs": [TLP_MARKING_IDS["red"]],
            "extensions": {
                RESTRICTED_ACCESS_EXTENSION_ID: {
                    "extension_type": "property-extension", "owner_party": owner,
                    "legal_basis": legal_basis, "allowed_parties": parties},
                KELISIM_EXTENSION_ID: {
                    "extension_type": "property-extension",
                    "recipients": {"parties": parties}}}}


def _check_fields(sub: Submission) -> list[Problem]:
    found: list[Problem] = []
    if sub.kind not in KINDS:
        found.append(Problem("kind", N_("Choose an indicator or a report.")))
    if not sub.name:
        found.append(Problem("name", N_("Give a name.")))
    if sub.kind == "indicator":
        if not sub.pattern:
            found.append(Problem("pattern", N_("Give a STIX pattern.")))
        else:
            error = pattern_error(sub.pattern)
            if error:
                found.append(Problem("pattern", N_("The pattern is not valid STIX patterning "
                                                "(STIX 2.1 §9)."), error))
        if sub.indicator_type not in INDICATOR_TYPES:
            found.append(Problem("indicator_type", N_("Choose an indicator type.")))
        if sub.valid_from and _date(sub.valid_from) is None:
            found.append(Problem("valid_from", N_("Give a date.")))
    if sub.kind == "report":
        if not _lines(sub.object_refs):
            found.append(Problem("object_refs", N_("A report refers to at least one object "
                                                "(STIX 2.1 §4.14).")))
        if sub.report_type not in REPORT_TYPES:
            found.append(Problem("report_type", N_("Choose a report type.")))
        if sub.published and _date(sub.published) is None:
            found.append(Problem("published", N_("Give a date.")))
    known = {d.number for d in directions()}
    if not sub.directions or not set(sub.directions) <= known:
        found.append(Problem("directions", N_("Choose at least one direction of Art. 3.")))
    if sub.threat_class and sub.threat_class not in THREAT_CLASSES:
        found.append(Problem("threat_class", N_("Choose a threat class of Art. 2.")))
    if sub.tlp not in TLP_LEVELS:
        found.append(Problem("tlp", N_("Choose a TLP level.")))
    if sub.tlp in NAMED_TLP and not sub.recipients:
        found.append(Problem("recipients", N_("TLP AMBER and RED information goes only to the "
                                           "Parties you name: name at least one.")))
    attack = catalogue()
    if any(attack.technique(t) is None for t in sub.techniques):
        found.append(Problem("techniques", N_("Choose each technique from the list of MITRE "
                                           "ATT&CK techniques.")))
    if sub.restricted and not sub.legal_basis:
        found.append(Problem("legal_basis", N_("Restricted-access information names the law that "
                                            "restricts it (Art. 2, 6).")))
    return found


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _timestamp(text: str, default: str) -> str:
    day = _date(text) if text else None
    return f"{day.isoformat()}T00:00:00.000Z" if day else default


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _field_of(reason: str) -> str:
    head = reason.split(":", 1)[0].split(".")[-1]
    return head if head in ("pattern", "name", "object_refs", "valid_from", "published") \
        else "form"

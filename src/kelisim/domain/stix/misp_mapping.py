"""How a MISP event's sharing rules become kelisim's markings (issue 16, item 7; decision 0021).

A MISP event says who may see it twice: a *distribution* level (0 your organisation only, 1 this
community, 2 connected communities, 3 all communities, 4 a sharing group, 5 inherit the event's)
on the event, each attribute and each object, and `tlp:*` tags. kelisim knows one thing: a TLP
2.0 marking and, for AMBER, AMBER+STRICT and RED, the recipients named in the kelisim extension
(Art. 6; decision 0004). The table (decision 0021):

| MISP                               | TLP 2.0        | recipients                           |
| ---------------------------------- | -------------- | ------------------------------------ |
| distribution 0 (organisation only) | AMBER+STRICT   | none: the producing Party only       |
| distribution 1, 2 (communities)    | GREEN          | not narrowed (the caller's default)  |
| distribution 3 (all communities)   | the tags'; none: GREEN | not narrowed                 |
| distribution 4 (sharing group)     | AMBER          | the group's organisations as Parties |
| distribution 5 (inherit)           | the event's    | the event's                          |
| tlp:clear, tlp:white               | CLEAR          |                                      |
| tlp:green / amber / amber+strict / red | the same   |                                      |

Each element's marking is the strictest of its own, its object's and its event's (MISP never
lets an attribute reach further than its event), tag and distribution alike: the stricter TLP
wins, and recipients are narrowed to those every level allows. Whatever is not mapped - a tag
that is no TLP, a distribution or TLP value kelisim does not know, a sharing group whose
organisations name no Party - is a `Finding` of the report, never dropped in silence. A tag or
text that carries a state-secret classification refuses the whole import (Art. 6), as intake
refuses such an envelope: nothing of it is converted or stored, and the refusal quotes nothing.

Plain Python: the caller gives the notified authorized bodies (`Directory`); misp-stix runs in
the service (services/exchange/misp_import.py), which hands the STIX objects back to `apply`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kelisim.domain.errors import InvalidInput, RuleViolation
from kelisim.domain.states import load_states
from kelisim.domain.stix.extension import KELISIM_EXTENSION_ID, TLP_MARKING_IDS, tlp_of
from kelisim.domain.stix.state_secrets import has_stamp, state_secret_reason

SPEC = "issue 16, MISP import; decision 0021"
UNSTATED = "unstated"
"""No TLP said by any tag, and no narrowing by the distribution (3, or none given): marked GREEN,
as kelisim reads unmarked objects (decision 0004), while an explicit `tlp:clear` stays CLEAR."""
RANK = {UNSTATED: -1, "clear": 0, "green": 1, "amber": 2, "amber+strict": 3, "red": 4}
TLP_TAGS = {"tlp:clear": "clear", "tlp:white": "clear", "tlp:green": "green",
            "tlp:amber": "amber", "tlp:amber+strict": "amber+strict", "tlp:red": "red"}
"""MISP's `tlp` taxonomy (TLP 1.0 and 2.0 names) as TLP 2.0 levels; WHITE became CLEAR."""
DISTRIBUTIONS = {0: "your organisation only", 1: "this community only",
                 2: "connected communities", 3: "all communities", 4: "sharing group",
                 5: "inherit event"}
NAMED_ONLY = frozenset({"amber", "amber+strict", "red"})
"""Levels kelisim lets through to named recipients only (decision 0004)."""
CLASSIFIED_TAGS = re.compile(
    r'^(?:nato:classification="(?:CTS|CTS-A|NS|NS-A|NC|NC-A|CTS-BALK|NS-BALK)"'
    r"|.*state[-_ ]secret.*)$", re.IGNORECASE)
"""Tags of classification taxonomies that denote a state's classified information beyond
what the stamp rule reads (the NATO grades by letter code, any `state-secret` tag)."""


@dataclass(frozen=True)
class Finding:
    """One thing of the MISP event that kelisim could not map as it stands: where it is in
    the event (`event 0`, `event 0 attribute <uuid>`), what it is, and what was done."""

    where: str
    kind: str
    item: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"where": self.where, "kind": self.kind, "item": self.item,
                "reason": self.reason}


@dataclass(frozen=True)
class Access:
    """Who may read an element: a TLP 2.0 level and, when narrowed, the recipients (Party
    codes `KAZ` and authorized bodies `RUS/RU-CERT`); None means not narrowed by MISP."""

    tlp: str
    recipients: frozenset[str] | None = None

    def stricter(self, other: Access) -> Access:
        tlp = self.tlp if RANK[self.tlp] >= RANK[other.tlp] else other.tlp
        return Access(tlp, meet(self.recipients, other.recipients))


def meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The recipients both allow: a body is allowed by its own name or by its Party's."""
    if a is None:
        return b
    if b is None:
        return a

    def within(token: str, other: frozenset[str]) -> bool:
        return token in other or ("/" in token and token.split("/", 1)[0] in other)

    return frozenset({t for t in a if within(t, b)} | {t for t in b if within(t, a)})


@dataclass(frozen=True)
class Directory:
    """The notified authorized bodies of each Party (Art. 8), to find a MISP organisation's
    Party: by the body's name, or by the organisation's nationality or name as a Party."""

    bodies: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def token(self, organisation: Mapping[str, Any]) -> str | None:
        name = str(organisation.get("name") or "").strip()
        parties = [p for p, names in self.bodies.items()
                   if name.casefold() in {n.casefold() for n in names}]
        if len(parties) == 1:
            body = next(n for n in self.bodies[parties[0]] if n.casefold() == name.casefold())
            return f"{parties[0]}/{body}"
        for text in (organisation.get("nationality"), name):
            party = party_named(str(text or ""))
            if party:
                return party
        return None


def party_named(text: str) -> str | None:
    """The Party a text names: its alpha-3 code or its name in kk, ru or en."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for code, info in load_states().items():
        if wanted == code.casefold() or wanted in {n.casefold() for n in info.names.values()}:
            return code
    return None


# --- the document -------------------------------------------------------------------------------

def events_of(document: Any) -> list[dict[str, Any]]:
    """The events of a MISP export: `{"Event": {...}}`, a bare event, a list of either, or an
    API answer `{"response": [...]}`; InvalidInput if it holds none."""
    if isinstance(document, Mapping) and "response" in document:
        document = document["response"]
    items = document if isinstance(document, list) else [document]
    events = []
    for position, item in enumerate(items):
        event = item.get("Event") if isinstance(item, Mapping) and "Event" in item else item
        if not isinstance(event, dict) or not _looks_like_event(event):
            raise InvalidInput(f"Item {position} of the document is not a MISP event (an object "
                               "with `info` or `Attribute`/`Object`, or {\"Event\": {...}}) "
                               f"({SPEC}).", position=position)
        events.append(event)
    if not events:
        raise InvalidInput(f"The document holds no MISP event ({SPEC}).")
    return events


def _looks_like_event(event: Mapping[str, Any]) -> bool:
    return any(key in event for key in ("info", "Attribute", "Object", "uuid")) and all(
        isinstance(event.get(key, []), list) for key in ("Attribute", "Object", "Tag"))


def refuse_state_secrets(events: list[dict[str, Any]]) -> None:
    """Refuse the whole import if any event holds information classified as a state secret
    (Art. 6): a classification tag, or a stamp in any of its text, by the rule intake applies
    (docs/stix-extensions.md#state-secrets). Names only the events' positions."""
    refused = [i for i, event in enumerate(events)
               if any(CLASSIFIED_TAGS.match(tag) or has_stamp(tag) for tag in _all_tags(event))
               or state_secret_reason(event) is not None]
    if refused:
        positions = ", ".join(str(i) for i in refused[:20])
        raise RuleViolation(
            f"The MISP document holds information classified as a state secret (events at "
            f"positions {positions}: a classification tag, or a classification stamp by the "
            f"rule of docs/stix-extensions.md#state-secrets); such information is not "
            f"transferred under the Agreement. Nothing of it was converted or stored.",
            article="Art. 6", positions=refused[:20])


def _all_tags(event: Mapping[str, Any]) -> Iterable[str]:
    yield from _tags(event)
    for attribute in _attributes(event):
        yield from _tags(attribute)
    for misp_object in _list(event, "Object"):
        yield from _tags(misp_object)
        for attribute in _list(misp_object, "Attribute"):
            yield from _tags(attribute)


def _list(holder: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = holder.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _attributes(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _list(event, "Attribute")


def _tags(holder: Mapping[str, Any]) -> list[str]:
    return [str(tag.get("name")) for tag in _list(holder, "Tag") if tag.get("name")]


# --- the plan: each element's access ------------------------------------------------------------

@dataclass
class Plan:
    """Each element's access by its uuid (the event's, every attribute's and object's), the
    galaxy clusters and attributes misp-stix should turn into STIX, and what was found."""

    where: str
    event: Access
    by_uuid: dict[str, Access]
    expected: dict[str, tuple[str, str, str]]
    """uuid -> (where, kind, item) of what should come out of misp-stix."""
    tags: dict[str, str]
    """Each tag that is no TLP -> where it was first seen."""
    findings: list[Finding]
    default_recipients: frozenset[str]


def plan(event: Mapping[str, Any], directory: Directory, position: int = 0,
         default_recipients: Iterable[str] = ()) -> Plan:
    """Each element's access (strictest of its own and its parents'), and the findings."""
    where = f"event {position}"
    findings: list[Finding] = []
    tags: dict[str, str] = {}
    expected: dict[str, tuple[str, str, str]] = {}
    event_access = _own(event, None, directory, where, findings, tags)
    by_uuid = {str(event.get("uuid", "")): event_access}
    _galaxies(event, where, expected)
    for attribute in _attributes(event):
        here = f"{where} attribute {attribute.get('uuid', '?')}"
        by_uuid[str(attribute.get("uuid"))] = event_access.stricter(
            _own(attribute, event_access, directory, here, findings, tags))
        expected[str(attribute.get("uuid"))] = (here, "attribute", str(attribute.get("type")))
        _galaxies(attribute, here, expected)
    for misp_object in _list(event, "Object"):
        here = f"{where} object {misp_object.get('uuid', '?')}"
        access = event_access.stricter(
            _own(misp_object, event_access, directory, here, findings, tags))
        for attribute in _list(misp_object, "Attribute"):  # an object is one STIX object:
            inner = f"{here} attribute {attribute.get('uuid', '?')}"  # its strictest part
            access = access.stricter(_own(attribute, access, directory, inner, findings, tags))
            _galaxies(attribute, inner, expected)
        by_uuid[str(misp_object.get("uuid"))] = access
        expected[str(misp_object.get("uuid"))] = (here, "object", str(misp_object.get("name")))
    return Plan(where, event_access, by_uuid, expected, tags, findings,
                frozenset(default_recipients))


def _galaxies(holder: Mapping[str, Any], where: str,
              expected: dict[str, tuple[str, str, str]]) -> None:
    for galaxy in _list(holder, "Galaxy"):
        for cluster in _list(galaxy, "GalaxyCluster"):
            expected[str(cluster.get("uuid"))] = (
                where, "galaxy", f"{galaxy.get('type', '?')}: {cluster.get('value', '?')}")


def _own(element: Mapping[str, Any], parent: Access | None, directory: Directory, where: str,
         findings: list[Finding], tags: dict[str, str]) -> Access:
    """An element's access from its own tags and distribution (parent: the event's or the
    object's access, for distribution 5)."""
    levels = []
    for name in _tags(element):
        level = TLP_TAGS.get(name.strip().casefold())
        if level is not None:
            levels.append(level)
        elif name.strip().casefold().startswith("tlp:"):
            findings.append(Finding(where, "tag", name, "a TLP value kelisim does not know "
                                    "(TLP 2.0: clear, green, amber, amber+strict, red); "
                                    "not a marking, kept as a STIX label"))
        else:
            tags.setdefault(name, where)
    access = _distribution(element, parent, directory, where, findings)
    for level in levels:
        access = access.stricter(Access(level))
    return access


def _distribution(element: Mapping[str, Any], parent: Access | None, directory: Directory,
                  where: str, findings: list[Finding]) -> Access:
    raw = element.get("distribution")
    if raw is None or raw == "":
        if parent is None:
            findings.append(Finding(where, "distribution", "(none)", "the event gives no "
                                    "distribution; its TLP tags alone decide (none: GREEN, "
                                    "as kelisim reads unmarked objects)"))
        return parent or Access(UNSTATED)
    try:
        level = int(raw)
    except (TypeError, ValueError):
        level = -1
    if level == 5 and parent is not None:
        return parent
    if level in (1, 2):
        return Access("green")
    if level == 3:
        return Access(UNSTATED)
    if level == 0:
        return Access("amber+strict", frozenset())
    if level == 4:
        return Access("amber", _sharing_group(element, directory, where, findings))
    findings.append(Finding(where, "distribution", str(raw)[:40],
                            "not a MISP distribution level kelisim knows here (0-4, and 5 below "
                            "the event); read as 0 (your organisation only): AMBER+STRICT, the "
                            "producing Party only"))
    return Access("amber+strict", frozenset())


def _sharing_group(element: Mapping[str, Any], directory: Directory, where: str,
                   findings: list[Finding]) -> frozenset[str]:
    group = element.get("SharingGroup")
    if not isinstance(group, Mapping):
        findings.append(Finding(where, "sharing-group",
                                str(element.get("sharing_group_id") or "?")[:40],
                                "the event carries the sharing group's id, not its organisations;"
                                " readable by the producing Party only (name recipients to "
                                "widen it)"))
        return frozenset()
    name = str(group.get("name") or group.get("uuid") or "?")[:80]
    found: set[str] = set()
    unmapped: list[str] = []
    for member in _list(group, "SharingGroupOrg"):
        organisation = member.get("Organisation")
        if not isinstance(organisation, Mapping):
            continue
        token = directory.token(organisation)
        if token is None:
            unmapped.append(str(organisation.get("name") or organisation.get("uuid") or "?"))
        else:
            found.add(token)
    if unmapped:
        findings.append(Finding(where, "sharing-group", name,
                                "organisations that name no Party or notified authorized body, "
                                "left out of the recipients: " + ", ".join(unmapped)[:300]))
    if not found:
        findings.append(Finding(where, "sharing-group", name,
                                "no organisation of the group maps to a Party; readable by the "
                                "producing Party only"))
    return frozenset(found)


# --- applying the plan to misp-stix's objects ---------------------------------------------------

def uuid_of(stix_id: Any) -> str:
    return str(stix_id).split("--", 1)[1] if "--" in str(stix_id) else ""


def apply(stix_objects: list[dict[str, Any]], the_plan: Plan,
          diagnostics: Iterable[str] = ()) -> tuple[list[dict[str, Any]], list[Finding]]:
    """misp-stix's objects with kelisim's markings in place of its own: each object's TLP 2.0
    marking and recipients from its MISP element (a relationship: the stricter of its ends;
    anything else misp-stix made - galaxies, identities - the event's), and the findings: the
    plan's, tags kept only as labels, what misp-stix did not convert, its own diagnostics."""
    where = the_plan.where
    findings = list(the_plan.findings)
    out: list[dict[str, Any]] = []
    dropped_definitions: list[str] = []
    for obj in stix_objects:
        if obj.get("type") == "marking-definition":
            if tlp_of({"object_marking_refs": [obj.get("id")]}) is None:
                dropped_definitions.append(str(obj.get("name") or obj.get("id")))
            continue  # TLP definitions are standard; kelisim's marking replaces them
        out.append(_marked(obj, _access_of(obj, the_plan), the_plan))
    for name in dropped_definitions:
        findings.append(Finding(where, "marking", name[:80], "a marking definition misp-stix "
                                "made that is no TLP; kelisim cannot read it and left it out"))
    present = {uuid_of(obj.get("id")) for obj in out}
    labels = {label for obj in out for label in obj.get("labels") or () if isinstance(label, str)}
    for uuid, (at, kind, item) in the_plan.expected.items():
        if uuid not in present:
            findings.append(Finding(at, kind, item[:120], "misp-stix did not convert it to STIX;"
                                    " nothing of it was posted"))
    for name, at in the_plan.tags.items():
        kept = name in labels
        findings.append(Finding(at, "tag", name[:120], (
            "no marking kelisim maps (only tlp:* tags are); kept as a STIX label" if kept else
            "no marking kelisim maps, and misp-stix did not carry it into STIX")))
    if _needs_recipients(out) and not the_plan.default_recipients and any(
            a.recipients is None and a.tlp in NAMED_ONLY for a in the_plan.by_uuid.values()):
        findings.append(Finding(where, "recipients", "(community distribution)",
                                "AMBER, AMBER+STRICT or RED shared with a MISP community names "
                                "no kelisim recipients: readable by the producing Party only "
                                "until recipients are named (give recipient Parties to widen)"))
    for message in diagnostics:
        findings.append(Finding(where, "conversion", "misp-stix", str(message)[:300]))
    return out, findings


def _needs_recipients(objects: list[dict[str, Any]]) -> bool:
    return any(tlp_of(obj) in NAMED_ONLY for obj in objects)


def _access_of(obj: Mapping[str, Any], the_plan: Plan) -> Access:
    found = the_plan.by_uuid.get(uuid_of(obj.get("id")))
    if found is not None:
        return found
    if obj.get("type") == "relationship":
        ends = [the_plan.by_uuid.get(uuid_of(obj.get(key))) for key in ("source_ref",
                                                                        "target_ref")]
        access = the_plan.event
        for end in ends:
            if end is not None:
                access = access.stricter(end)
        return access
    return the_plan.event


def _marked(obj: dict[str, Any], access: Access, the_plan: Plan) -> dict[str, Any]:
    marked = dict(obj)  # misp-stix marks with TLP only, and its definitions are left out
    level = "green" if access.tlp == UNSTATED else access.tlp
    marked["object_marking_refs"] = [TLP_MARKING_IDS[level]]
    if access.tlp not in NAMED_ONLY:
        return marked
    recipients = the_plan.default_recipients if access.recipients is None else access.recipients
    if not recipients:
        return marked
    extensions = dict(obj.get("extensions") or {})
    extensions[KELISIM_EXTENSION_ID] = {
        **extensions.get(KELISIM_EXTENSION_ID, {"extension_type": "property-extension"}),
        "recipients": {"parties": sorted(t for t in recipients if "/" not in t),
                       "bodies": sorted(t for t in recipients if "/" in t)}}
    marked["extensions"] = extensions
    return marked

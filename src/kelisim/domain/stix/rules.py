"""Rules of particular STIX 2.1 object types that a property table cannot say.

Why: "one of these properties", "this one only with that one", the marking-definition's two
shapes, the indicator's pattern - each is a sentence of STIX 2.1 (and of the JSON schemas that
`stix2-validator` applies), written here once with its section.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kelisim.domain.stix.patterns import pattern_comparisons, pattern_error
from kelisim.domain.stix.spec import COMMON, SCO_TYPES
from kelisim.domain.stix.values import (
    OBS_PROP_RE,
    OBS_TYPE_RE,
    Problems,
    check,
)

__all__ = ["SPECIAL", "marking_definition"]

# STIX 2.1 §7.2.1.4: the four TLP 1.0 marking definitions, fixed objects.
TLP1 = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "white",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
_TLP1_KEYS = frozenset({"type", "spec_version", "id", "created", "name", "definition",
                        "definition_type"})


def _indicator(obj: dict[str, Any], out: Problems) -> None:
    """§4.7 + §9: a STIX pattern must parse; its object types and properties must be names."""
    pattern, kind = obj.get("pattern"), obj.get("pattern_type")
    if not isinstance(pattern, str) or kind != "stix":
        return
    version = obj.get("pattern_version", "2.1")
    if not isinstance(version, str):
        return
    if version == "2.1":
        error = pattern_error(pattern, "stix")
    else:
        from kelisim.domain.stix.patterns import _analyse  # rare: another pattern grammar

        error = _analyse(pattern, version)[0]
    if error:
        out.append(f"indicator.pattern: invalid STIX pattern: {error} (STIX 2.1 §9.1)")
        return
    for object_type, prop in pattern_comparisons(pattern, version):
        if object_type not in SCO_TYPES and not (
                OBS_TYPE_RE.match(object_type) and 3 <= len(object_type) <= 250):
            out.append(f"indicator.pattern: {object_type!r} is not a valid observable type "
                       "name (STIX 2.1 §9.2)")
        elif not (OBS_PROP_RE.match(prop) or (prop == "id" and object_type in SCO_TYPES)):
            out.append(f"indicator.pattern: {prop!r} is not a valid observable property name "
                       "(STIX 2.1 §9.2)")


def _malware(obj: dict[str, Any], out: Problems) -> None:
    """§4.11: a malware family must have a name."""
    if obj.get("is_family") is True and "name" not in obj:
        out.append("malware.name: required when is_family is true (STIX 2.1 §4.11)")


def _location(obj: dict[str, Any], out: Problems) -> None:
    """§4.10: region, country or latitude+longitude; precision only with coordinates."""
    has_lat, has_long = "latitude" in obj, "longitude" in obj
    if not ("region" in obj or "country" in obj or (has_lat and has_long)):
        out.append("location: needs region, country or latitude and longitude (STIX 2.1 §4.10)")
    if has_lat != has_long:
        out.append("location: latitude and longitude go together (STIX 2.1 §4.10)")
    if "precision" in obj and not (has_lat and has_long):
        out.append("location.precision: only with latitude and longitude (STIX 2.1 §4.10)")


def _malware_analysis(obj: dict[str, Any], out: Problems) -> None:
    """§4.12: result or analysis_sco_refs must be present."""
    if "result" not in obj and "analysis_sco_refs" not in obj:
        out.append("malware-analysis: needs result or analysis_sco_refs (STIX 2.1 §4.12)")


def _observed_data(obj: dict[str, Any], out: Problems) -> None:
    """§4.14: exactly one of objects (deprecated) and object_refs; refs to SCOs and SROs."""
    if ("objects" in obj) == ("object_refs" in obj):
        out.append("observed-data: needs exactly one of objects and object_refs "
                   "(STIX 2.1 §4.14)")
    refs = obj.get("object_refs")
    if isinstance(refs, list):
        for ref in refs:
            target = ref.split("--", 1)[0] if isinstance(ref, str) else ""
            if target in _SDO_PREFIXES:
                out.append("observed-data.object_refs: only SCOs and SROs (STIX 2.1 §4.14)")
                break
    objects = obj.get("objects")
    if isinstance(objects, dict) and not all(
            isinstance(v, dict) and isinstance(v.get("type"), str) for v in objects.values()):
        out.append("observed-data.objects: each value is an observable with a type "
                   "(STIX 2.1 §4.14)")


def _extension_definition(obj: dict[str, Any], out: Problems) -> None:
    """§7.3: extension_properties only for a toplevel-property-extension."""
    types = obj.get("extension_types")
    if "extension_properties" in obj and not (
            isinstance(types, list) and "toplevel-property-extension" in types):
        out.append("extension-definition.extension_properties: only for "
                   "toplevel-property-extension (STIX 2.1 §7.3)")


# FIRST TLP 2.0 as published in STIX (oasis-open/cti-stix-common-objects): its canonical ids and
# the extension that carries the level.
TLP2_LEVELS = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
}
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


def _tlp2(obj: dict[str, Any], level: str, out: Problems) -> None:
    """A definition posted under a TLP 2.0 id may say nothing but that level. kelisim reads
    these ids as their level whatever a stored definition says (never looser), but a client
    fetching the definition from the collection would take a statement - "public" - under the
    RED id at its word. Stricter than stix2-validator (decision 0003); tools write these
    definitions in several shapes (the TLP 2.0 extension, `definition: {tlp: ...}`, a name),
    and each shape is held to the level."""
    said = []
    if obj.get("definition_type") == "statement":
        said.append("a statement")
    name = obj.get("name")
    if isinstance(name, str) and name.strip().lower().removeprefix("tlp:") not in (
            level, "white" if level == "clear" else level):
        said.append(repr(name[:40]))
    definition = obj.get("definition")
    if isinstance(definition, dict) and "tlp" in definition and \
            str(definition["tlp"]).lower() != level:
        said.append(f"tlp {str(definition['tlp'])[:20]!r}")
    extensions = obj.get("extensions")
    extension = extensions.get(TLP2_EXTENSION_ID) if isinstance(extensions, dict) else None
    if isinstance(extension, dict) and "tlp_2_0" in extension and extension["tlp_2_0"] != level:
        said.append(f"tlp_2_0 {str(extension['tlp_2_0'])[:20]!r}")
    if said:
        out.append(f"marking-definition: the id of TLP:{level.upper()} (FIRST TLP 2.0) defined as "
                   f"{', '.join(said)}; post it as TLP:{level.upper()} or under an id of "
                   "your own (STIX 2.1 §7.2.1)")


def marking_definition(obj: dict[str, Any], out: Problems) -> None:
    """§7.2.1: a marking definition - a TLP 1.0 one, a statement, or one defined by extension."""
    ident = obj.get("id")
    if ident in TLP1:
        _tlp1(obj, out)
        return
    if ident in TLP2_LEVELS:
        _tlp2(obj, TLP2_LEVELS[ident], out)
    for required in ("spec_version", "created"):
        if required not in obj:
            out.append(f"marking-definition.{required}: required (STIX 2.1 §7.2.1)")
    if "spec_version" in obj and obj["spec_version"] != "2.1":
        out.append("spec_version: must be '2.1' (STIX 2.1 §7.2.1)")
    for name in ("created_by_ref", "created", "external_references", "object_marking_refs",
                 "granular_markings", "extensions"):
        if name in obj:
            check(name, COMMON[name], obj[name], out, "§7.2.1")
    if "name" in obj:
        check("name", ("str",), obj["name"], out, "§7.2.1")
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and any(not k.startswith("extension-definition--")
                                            for k in extensions):
        out.append("marking-definition.extensions: only extension definitions (STIX 2.1 §7.2.1)")
    kind, definition = obj.get("definition_type"), obj.get("definition")
    if "extensions" not in obj and ("definition_type" not in obj or "definition" not in obj):
        out.append("marking-definition: needs definition_type and definition, or an extension "
                   "(STIX 2.1 §7.2.1)")
    if kind == "statement":
        if not (isinstance(definition, dict) and isinstance(definition.get("statement"), str)):
            out.append("marking-definition.definition: a statement marking needs "
                       "{statement: string} (STIX 2.1 §7.2.2.2)")
    elif "definition_type" in obj:
        if not isinstance(kind, str) or kind.startswith("statement") or kind.endswith("tlp"):
            out.append("marking-definition.definition_type: not a valid definition type "
                       "(STIX 2.1 §7.2.1)")
        if "definition" in obj and not isinstance(definition, dict):
            out.append("marking-definition.definition: must be an object (STIX 2.1 §7.2.1)")
    for ref in obj.get("object_marking_refs") or ():
        if ref == ident:
            out.append("marking-definition.object_marking_refs: may not refer to itself "
                       "(STIX 2.1 §7.2.1)")


def _tlp1(obj: dict[str, Any], out: Problems) -> None:
    """§7.2.1.4: a TLP 1.0 marking definition must be exactly the spec's object."""
    colour = TLP1[obj["id"]]
    expected = {"type": "marking-definition", "spec_version": "2.1", "id": obj["id"],
                "created": "2017-01-20T00:00:00.000Z", "name": f"TLP:{colour.upper()}",
                "definition_type": "tlp", "definition": {"tlp": colour}}
    if set(obj) != _TLP1_KEYS or any(obj[k] != v for k, v in expected.items()):
        out.append(f"marking-definition: {obj['id']} is TLP:{colour.upper()} and must be the "
                   "spec's object exactly (STIX 2.1 §7.2.1.4)")


_SDO_PREFIXES = frozenset({
    "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
    "indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis",
    "note", "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability",
})

SPECIAL: dict[str, Callable[[dict[str, Any], Problems], None]] = {
    "indicator": _indicator,
    "malware": _malware,
    "location": _location,
    "malware-analysis": _malware_analysis,
    "observed-data": _observed_data,
    "extension-definition": _extension_definition,
}

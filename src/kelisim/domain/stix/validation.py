"""Is this a valid STIX 2.1 object? - the check every object posted to kelisim passes first.

Why hand-written: `stix2.parse` (~2,300 objects/s) and `stix2-validator` (JSON Schema, slower
still) cannot sit on the intake path of a TAXII server (issue 4, Performance). This module checks
plain dicts against the table in :mod:`kelisim.domain.stix.spec` with precompiled regexes; the
indicator pattern goes through the cached fast checker of :mod:`kelisim.domain.stix.patterns`.
`stix2-validator` stays the oracle in the tests (tests/unit/stix/). Where kelisim is stricter
than the validator on purpose (a MUST of the spec the schemas leave out), the difference is
listed in docs/decisions/0003-stix-validation.md.

Every reason names the property and cites the section of STIX 2.1 (OASIS Standard, 2021).
`validate_stix_object` never raises, whatever JSON it is given.
"""

from __future__ import annotations

from typing import Any

from kelisim.domain.stix.rules import SPECIAL, marking_definition
from kelisim.domain.stix.spec import COMMON, OBJECTS, SCO_PROPS, SCO_REQUIRED, SCO_TYPES
from kelisim.domain.stix.values import (
    ID_RE,
    MILLIS_RE,
    TS_RE,
    TYPE_RE,
    Problems,
    check,
    names_and_values,
    order,
)

__all__ = ["validate_stix_object"]

RESERVED = ("severity", "action", "username", "phone_numbers")

def validate_stix_object(obj: Any) -> list[str]:
    """[] if obj is a valid STIX 2.1 object; else reasons, each citing its STIX 2.1 section."""
    try:
        return _validate(obj)
    except Exception as exc:  # a safety net only: the property tests assert it never fires
        return [f"object: could not be checked ({type(exc).__name__}) (STIX 2.1 §3)"]


def _validate(obj: Any) -> Problems:
    if not isinstance(obj, dict):
        return ["object: a STIX object is a JSON object (STIX 2.1 §3)"]
    out: Problems = []
    kind = obj.get("type")
    if not isinstance(kind, str) or not (3 <= len(kind) <= 250) or not TYPE_RE.match(kind) \
            or kind == "action":
        return ["type: missing or not a valid type name (a-z, 0-9, '-', 3-250 characters) "
                "(STIX 2.1 §3.1)"]
    ident = obj.get("id")
    if not isinstance(ident, str) or not ID_RE.match(ident) or \
            ident[: len(kind) + 2] != kind + "--":
        out.append(f"id: must be '{kind}--<UUID>' (STIX 2.1 §2.9)")
    for name in RESERVED:
        if name in obj:
            out.append(f"{name}: reserved property name (STIX 2.1 §3.1)")
    if kind == "marking-definition":
        marking_definition(obj, out)
    elif kind in SCO_TYPES or (kind not in OBJECTS and "created" not in obj
                               and "modified" not in obj):
        _sco(kind, obj, out)
    else:
        _common(kind, obj, out)
        spec = OBJECTS.get(kind)
        if spec is not None:
            _typed(kind, spec, obj, out)
            SPECIAL.get(kind, _nothing)(obj, out)
    _selectors_resolve(obj, out)
    return out


def _nothing(obj: dict[str, Any], out: Problems) -> None:
    return None


def _common(kind: str, obj: dict[str, Any], out: Problems) -> None:
    """§3.2 required common properties of SDOs, SROs and meta objects, and their types."""
    for required in ("spec_version", "id", "created", "modified"):
        if required not in obj:
            out.append(f"{required}: required property missing (STIX 2.1 §3.2)")
    if "spec_version" in obj and obj["spec_version"] != "2.1":
        out.append("spec_version: must be '2.1' (STIX 2.1 §3.2)")
    names_and_values(obj, out, "§3.2")
    for name, spec in COMMON.items():
        if name in obj:
            check(name, spec, obj[name], out, "§3.2")
    for stamp in ("created", "modified"):
        value = obj.get(stamp)
        if isinstance(value, str) and TS_RE.match(value) and not MILLIS_RE.search(value):
            out.append(f"{stamp}: must be precise to the millisecond (STIX 2.1 §3.2)")
    order(obj, "modified", ">=", "created", out, "§3.2")


def _sco(kind: str, obj: dict[str, Any], out: Problems) -> None:
    """§6.1 common properties of SCOs (only type and id are required) and §6.x required ones."""
    if "spec_version" in obj and obj["spec_version"] != "2.1":
        out.append("spec_version: must be '2.1' (STIX 2.1 §6.1)")
    names_and_values(obj, out, "§6.1")
    for name in ("object_marking_refs", "granular_markings", "extensions", "defanged"):
        if name in obj:
            check(name, COMMON[name], obj[name], out, "§6.1")
    for name, spec in SCO_PROPS.get(kind, {}).items():
        if name in obj:
            check(f"{kind}.{name}", spec, obj[name], out, "§6")
    alternatives = SCO_REQUIRED.get(kind)
    if alternatives and not any(all(p in obj for p in alt) for alt in alternatives):
        wanted = " or ".join("+".join(alt) for alt in alternatives)
        out.append(f"{kind}: required property missing ({wanted}) (STIX 2.1 §6)")
    if kind == "network-traffic":
        order(obj, "end", ">=", "start", out, "§6.12")
        if obj.get("is_active") is True and "end" in obj:
            out.append("network-traffic.end: must not be given while is_active is true "
                       "(STIX 2.1 §6.12)")


def _selectors_resolve(obj: dict[str, Any], out: Problems) -> None:
    """§7.2.3.1: each selector of a granular marking names a property (or a list item) that
    the object has; one that names nothing marks nothing."""
    granular = obj.get("granular_markings")
    if not isinstance(granular, list):
        return
    for item in granular:
        selectors = item.get("selectors") if isinstance(item, dict) else None
        for selector in selectors if isinstance(selectors, list) else ():
            if isinstance(selector, str) and not _resolves(obj, selector):
                out.append(f"granular_markings: the selector {selector[:60]!r} names nothing "
                           "this object has (STIX 2.1 §7.2.3.1)")
                return


def _resolves(obj: dict[str, Any], selector: str) -> bool:
    here: Any = obj
    for step in selector.split("."):
        if step.startswith("[") and step.endswith("]") and step[1:-1].isdigit():
            index = int(step[1:-1])
            if not isinstance(here, list) or index >= len(here):
                return False
            here = here[index]
        elif isinstance(here, dict) and step in here:
            here = here[step]
        else:
            return False
    return True


def _typed(kind: str, spec: Any, obj: dict[str, Any], out: Problems) -> None:
    section = spec["section"]
    for name in spec["required"]:
        if name not in obj:
            out.append(f"{kind}.{name}: required property missing (STIX 2.1 {section})")
    for name, prop in spec["props"].items():
        if name in obj:
            check(f"{kind}.{name}", prop, obj[name], out, section)
    for first, op, second in spec["order"]:
        order(obj, first, op, second, out, section)

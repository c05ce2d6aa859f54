"""The kelisim STIX 2.1 extensions: the Agreement's vocabulary and its confidentiality markings.

Why: every object exchanged under the 2013 CIS Agreement says which Art. 3 direction of
cooperation it serves and, for threat content, which Art. 2 threat class it concerns
(information weapon, information terrorism, information crime); TLP AMBER/AMBER+STRICT/RED
content names its recipients (Parties or individual authorized bodies); restricted-access
information (Art. 2) carries its owner Party's legal basis and the Parties allowed to read it
(Art. 6). STIX 2.1 §7.3 carries such things as extensions described by `extension-definition`
objects that the producer publishes; `docs/stix-extensions.md` documents both for users.

* kelisim property extension (``KELISIM_EXTENSION_ID``, on SDOs and SROs)::

    "extensions": {KELISIM_EXTENSION_ID: {"extension_type": "property-extension",
        "art3_directions": [9, 10], "threat_class": "information_crime",
        "recipients": {"parties": ["KAZ", "ARM"], "bodies": ["RU-CERT"]}}}

  and on a ``sighting`` only, ``"sighting_type": "false-positive"`` (``sighting``, the default,
  ``false-positive`` or ``expired``: MISP's sighting types, which STIX 2.1 §5.2 has no field
  for).

* restricted-access marking: a `marking-definition` whose extensions hold
  ``RESTRICTED_ACCESS_EXTENSION_ID: {"extension_type": "property-extension",
  "owner_party": "KAZ", "legal_basis": "...", "allowed_parties": ["KAZ", "BLR"]}``.
* ``STATE_SECRET_MARKING_ID``: a statement marking meaning "state secret of a Party"; objects
  bearing it are refused at intake (see :mod:`.state_secrets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kelisim.domain.agreement_text import THREAT_CLASSES, directions
from kelisim.domain.errors import InvalidInput
from kelisim.domain.states import load_states

__all__ = [
    "KELISIM_EXTENSION_ID",
    "RESTRICTED_ACCESS_EXTENSION_ID",
    "SIGHTING_TYPES",
    "STATE_SECRET_MARKING_ID",
    "TLP_MARKING_IDS",
    "AgreementProperties",
    "RestrictedAccess",
    "agreement_properties",
    "extension_definitions",
    "restricted_access",
    "tlp_of",
]

KELISIM_EXTENSION_ID = "extension-definition--c8ba915c-1549-43a5-a7d6-8590c40ee054"
RESTRICTED_ACCESS_EXTENSION_ID = "extension-definition--67f446b3-6f54-481e-a169-2bd19c28a0b2"
STATE_SECRET_MARKING_ID = "marking-definition--6c66a9d7-07d8-4415-a72d-7d2e1a550df3"
SCHEMA_BASE = "https://kelisim.readthedocs.io/en/latest/stix-extensions"
PUBLISHED = "2026-01-01T00:00:00.000Z"
AGREEMENT_EXTENSION_MODIFIED = "2026-12-03T00:00:00.000Z"
"""1.1.0: recipient bodies are notified names, qualified by Party where ambiguous; 1.2.0: a
sighting's `sighting_type`."""
SIGHTING_TYPES = ("sighting", "false-positive", "expired")
"""MISP's sighting types, carried on a STIX `sighting` by the kelisim extension (issue 16)."""

# TLP 2.0 marking definitions (OASIS cti-stix-common-objects, extension-definition
# extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d; FIRST TLP 2.0).
TLP_MARKING_IDS: dict[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# STIX 2.1 §7.2.1.4 TLP 1.0 ids, read as their TLP 2.0 equivalents (WHITE became CLEAR).
_TLP1_IDS: dict[str, str] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
_TLP_BY_ID = {**{v: k for k, v in TLP_MARKING_IDS.items()}, **_TLP1_IDS}
_TLP_RANK = {"clear": 0, "green": 1, "amber": 2, "amber+strict": 3, "red": 4}


@dataclass(frozen=True)
class AgreementProperties:
    """What the kelisim extension says of an object (Art. 2, 3)."""

    directions: tuple[int, ...]
    threat_class: str | None
    recipients_parties: frozenset[str]
    recipients_bodies: frozenset[str]
    sighting_type: str | None = None


@dataclass(frozen=True)
class RestrictedAccess:
    """A restricted-access marking (Art. 2): whose information, under which law, who may read."""

    owner_party: str
    legal_basis: str
    allowed_parties: frozenset[str]


@cache
def _direction_numbers() -> frozenset[int]:
    return frozenset(d.number for d in directions())


@cache
def _parties() -> frozenset[str]:
    return frozenset(load_states())


def _party_codes(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise InvalidInput(f"{where} must be a list of ISO 3166-1 alpha-3 codes.",
                           article="Art. 6")
    unknown = sorted(p for p in value if p not in _parties())
    if unknown:
        raise InvalidInput(f"{where}: {', '.join(unknown)[:60]} is not the ISO 3166-1 alpha-3 "
                           "code of a CIS state.", article="Art. 6")
    return frozenset(value)


def agreement_properties(obj: Mapping[str, Any]) -> AgreementProperties | None:
    """The kelisim extension of `obj`, or None; InvalidInput if it is malformed (Art. 2, 3)."""
    extensions = obj.get("extensions")
    if not isinstance(extensions, Mapping) or KELISIM_EXTENSION_ID not in extensions:
        return None
    ext = extensions[KELISIM_EXTENSION_ID]
    if not isinstance(ext, Mapping):
        raise InvalidInput("The kelisim extension must be an object.", article="Art. 3")
    numbers = ext.get("art3_directions", [])
    if not isinstance(numbers, list) or not all(
            type(n) is int and n in _direction_numbers() for n in numbers):
        raise InvalidInput("art3_directions must list directions of Art. 3 by number (1-19).",
                           article="Art. 3")
    threat = ext.get("threat_class")
    if threat is not None and threat not in THREAT_CLASSES:
        raise InvalidInput("threat_class must be one of " + ", ".join(THREAT_CLASSES) + ".",
                           article="Art. 2")
    recipients = ext.get("recipients", {})
    if not isinstance(recipients, Mapping):
        raise InvalidInput("recipients must be an object {parties, bodies}.", article="Art. 6")
    bodies = recipients.get("bodies", [])
    if not isinstance(bodies, list) or not all(isinstance(b, str) and b for b in bodies):
        raise InvalidInput("recipients.bodies must be a list of authorized-body names.",
                           article="Art. 6")
    return AgreementProperties(
        directions=tuple(sorted(set(numbers))),
        threat_class=threat,
        recipients_parties=_party_codes(recipients.get("parties", []), "recipients.parties"),
        recipients_bodies=frozenset(bodies),
        sighting_type=_sighting_type(obj, ext),
    )


def _sighting_type(obj: Mapping[str, Any], ext: Mapping[str, Any]) -> str | None:
    """A sighting's MISP sighting type (STIX 2.1 §5.2 has none: kelisim extension 1.2.0)."""
    if "sighting_type" not in ext:
        return None
    if obj.get("type") != "sighting":
        raise InvalidInput("sighting_type (kelisim extension 1.2.0) is a property of a "
                           "sighting only.", article="STIX 2.1 §5.2")
    value = ext["sighting_type"]
    if value not in SIGHTING_TYPES:
        raise InvalidInput(f"sighting_type (kelisim extension 1.2.0) must be one of "
                           f"{', '.join(SIGHTING_TYPES)}, not {str(value)[:40]!r}.",
                           article="STIX 2.1 §5.2")
    return str(value)


def restricted_access(marking_definition: Mapping[str, Any]) -> RestrictedAccess | None:
    """The restricted-access terms of a marking definition, or None (Art. 2, 6)."""
    extensions = marking_definition.get("extensions")
    if not isinstance(extensions, Mapping) or RESTRICTED_ACCESS_EXTENSION_ID not in extensions:
        return None
    ext = extensions[RESTRICTED_ACCESS_EXTENSION_ID]
    if not isinstance(ext, Mapping):
        raise InvalidInput("The restricted-access extension must be an object.", article="Art. 6")
    owner, basis = ext.get("owner_party"), ext.get("legal_basis")
    if not isinstance(owner, str) or owner not in _parties():
        raise InvalidInput("owner_party must be the alpha-3 code of a CIS state.",
                           article="Art. 6")
    if not isinstance(basis, str) or not basis.strip():
        raise InvalidInput("legal_basis must name the owner's law.", article="Art. 6")
    allowed = _party_codes(ext.get("allowed_parties", []), "allowed_parties")
    return RestrictedAccess(owner_party=owner, legal_basis=basis,
                            allowed_parties=allowed | {owner})


def tlp_of(obj: Mapping[str, Any]) -> str | None:
    """The strictest TLP among object_marking_refs (red > amber+strict > amber > green > clear)."""
    refs = obj.get("object_marking_refs")
    if not isinstance(refs, list):
        return None
    found = [_TLP_BY_ID[r] for r in refs if isinstance(r, str) and r in _TLP_BY_ID]
    return max(found, key=_TLP_RANK.__getitem__) if found else None


def extension_definitions(created_by_ref: str) -> list[dict[str, Any]]:
    """The objects kelisim publishes: two extension definitions and the state-secret marking."""
    common = {"spec_version": "2.1", "created": PUBLISHED, "modified": PUBLISHED,
              "created_by_ref": created_by_ref}
    return [
        {"type": "extension-definition", "id": KELISIM_EXTENSION_ID, **common,
         "modified": AGREEMENT_EXTENSION_MODIFIED,
         "name": "kelisim: CIS Agreement 2013 properties",
         "description": "Art. 3 directions of cooperation (art3_directions, 1-19), the Art. 2 "
                        "threat class (threat_class: information_weapon, "
                        "information_terrorism, information_crime) and the recipients of "
                        "TLP AMBER, AMBER+STRICT and RED content (recipients: parties as "
                        "ISO 3166-1 alpha-3 codes; bodies as the names of authorized bodies "
                        "notified to the depositary, PARTY/NAME where several Parties "
                        "notified the name); on a sighting, sighting_type (sighting, "
                        "false-positive or expired, as MISP's sighting types; default "
                        "sighting).",
         "schema": f"{SCHEMA_BASE}/#kelisim-agreement-properties",
         "version": "1.2.0", "extension_types": ["property-extension"]},
        {"type": "extension-definition", "id": RESTRICTED_ACCESS_EXTENSION_ID, **common,
         "name": "kelisim: restricted-access information marking",
         "description": "On a marking-definition: information whose access is restricted by "
                        "a Party's law (Agreement Art. 2, 6): owner_party, legal_basis (the "
                        "owner's law) and allowed_parties (ISO 3166-1 alpha-3 codes).",
         "schema": f"{SCHEMA_BASE}/#restricted-access-marking",
         "version": "1.0.0", "extension_types": ["property-extension"]},
        {"type": "marking-definition", "id": STATE_SECRET_MARKING_ID, "spec_version": "2.1",
         "created": PUBLISHED, "created_by_ref": created_by_ref,
         "name": "State secret of a Party (never transferred, Agreement Art. 6)",
         "definition_type": "statement",
         "definition": {"statement": "Information classified as a state secret under the law "
                                     "of a Party. Under Art. 6 of the 2013 CIS Agreement on "
                                     "information security it is not transferred; kelisim "
                                     "refuses any object bearing this marking."}},
    ]

"""A Party's certification scheme: the requirement documents it certifies against and their scales.

Art. 2 defines certification as confirming that an information protection tool conforms to
information-protection requirements; Art. 3 (direction 14) asks for an agreed procedure. A scheme
belongs to one Party, names the requirement documents (a Common Criteria version, a national
standard, a protection profile) with the *ordered* scale of classes or levels each one uses
(weakest first), and says whether it produces certificates or only consumes others' (the CCRA's
certificate-authorizing and certificate-consuming members).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kelisim.domain.errors import InvalidInput

ARTICLE = "Art. 3 (direction 14)"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

CATEGORY_LABELS: dict[str, str] = {
    # The categories of the CCRA certified products list, with kelisim keys ...
    "access_control": "Access Control Devices and Systems",
    "biometric": "Biometric Systems and Devices",
    "firewall": "Boundary Protection Devices and Systems",
    "data_protection": "Data Protection",
    "database": "Databases",
    "intrusion_detection": "Detection Devices and Systems",
    "smart_card": "ICs, Smart Cards and Smart Card-Related Devices and Systems",
    "key_management": "Key Management Systems",
    "mobility": "Mobility",
    "multi_function_device": "Multi-Function Devices",
    "network_device": "Network and Network-Related Devices and Systems",
    "operating_system": "Operating Systems",
    "other": "Other Devices and Systems",
    "digital_signature": "Products for Digital Signatures",
    "trusted_computing": "Trusted Computing",
    # ... and those the CIS states' national registries use besides.
    "cryptographic_tool": "Cryptographic Tools",
    "anti_malware": "Anti-Malware Tools",
    "siem": "Security Information and Event Management",
}
_CATEGORY_BY_TEXT = {**{k: k for k in CATEGORY_LABELS},
                     **{v.casefold(): k for k, v in CATEGORY_LABELS.items()}}

PUBLIC_FIELD_CHOICES = ("product", "vendor", "version", "category", "requirements",
                        "issued_on", "expires_on", "documents", "maintenance")
"""What a scheme may publish to anyone without an account; the number, the scheme and the verdict
are always part of a public answer, everything else only if the scheme chose it."""


class SchemeRole(StrEnum):
    PRODUCING = "producing"
    """Issues certificates (a CCRA certificate-authorizing member)."""
    CONSUMING = "consuming"
    """Only recognises others' certificates (a CCRA certificate-consuming member)."""


@dataclass(frozen=True)
class RequirementDocument:
    key: str
    title: str
    scale: tuple[str, ...]
    """Classes or levels, weakest first: ("EAL1", ..., "EAL7") or ("6", "5", ..., "1")."""

    def rank(self, level: str) -> int | None:
        try:
            return self.scale.index(level)
        except ValueError:
            return None


@dataclass(frozen=True)
class Scheme:
    key: str
    party: str
    name: str
    role: SchemeRole
    documents: tuple[RequirementDocument, ...]
    public_verification: bool = True
    public_fields: frozenset[str] = frozenset()

    def document(self, key: str) -> RequirementDocument | None:
        return next((d for d in self.documents if d.key == key), None)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "party": self.party, "name": self.name, "role": self.role.value,
                "documents": [{"key": d.key, "title": d.title, "scale": list(d.scale)}
                              for d in self.documents],
                "public_verification": self.public_verification,
                "public_fields": sorted(self.public_fields)}


def parse_category(raw: Any) -> str:
    """A category key from a key or a CCRA label, case-insensitively."""
    key = _CATEGORY_BY_TEXT.get(str(raw or "").strip().casefold())
    if key is None:
        raise InvalidInput(f"Unknown category {raw!r}; one of: {', '.join(CATEGORY_LABELS)} "
                           "(or their CCRA labels).", field="category")
    return key


def check_key(raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not KEY_PATTERN.match(raw):
        raise InvalidInput(f"{field} must be 1-64 letters, digits, '.', '_' or '-', starting with "
                           f"a letter or digit; got {raw!r}.", field=field)
    return raw


def text(raw: Mapping[str, Any], field: str, *, required: bool = True,
         limit: int = 300) -> str | None:
    value = raw.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{field} is required.", field=field)
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidInput(f"{field} must be text of at most {limit} characters.", field=field)
    return value.strip()


def parse_scheme(raw: Any) -> Scheme:
    """A scheme from its JSON form; every refusal names the field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("A scheme is a JSON object.")
    party = str(raw.get("party") or "").upper()
    if not re.fullmatch(r"[A-Z]{3}", party):
        raise InvalidInput("party must be an ISO 3166 alpha-3 code, e.g. KAZ.", field="party")
    try:
        role = SchemeRole(raw.get("role", SchemeRole.PRODUCING.value))
    except ValueError:
        raise InvalidInput("role must be producing or consuming.", field="role") from None
    documents = raw.get("documents")
    if not isinstance(documents, list) or (role is SchemeRole.PRODUCING and not documents):
        raise InvalidInput("A producing scheme lists the requirement documents it certifies "
                           "against: documents: [{key, title, scale}].", field="documents")
    parsed = tuple(_parse_document(d) for d in documents)
    if len({d.key for d in parsed}) != len(parsed):
        raise InvalidInput("Each requirement document is listed once.", field="documents")
    public_fields = raw.get("public_fields", [])
    if not isinstance(public_fields, list) or not set(public_fields) <= set(PUBLIC_FIELD_CHOICES):
        raise InvalidInput(f"public_fields is a list drawn from {', '.join(PUBLIC_FIELD_CHOICES)}.",
                           field="public_fields")
    return Scheme(key=check_key(raw.get("key"), "key"), party=party,
                  name=text(raw, "name") or "", role=role, documents=parsed,
                  public_verification=bool(raw.get("public_verification", True)),
                  public_fields=frozenset(public_fields))


def _parse_document(raw: Any) -> RequirementDocument:
    if not isinstance(raw, Mapping):
        raise InvalidInput("A requirement document is {key, title, scale}.", field="documents")
    scale = raw.get("scale")
    if (not isinstance(scale, list) or not scale
            or not all(isinstance(s, str) and s.strip() for s in scale)
            or len(set(scale)) != len(scale)):
        raise InvalidInput("A requirement document's scale is a non-empty list of distinct "
                           "classes or levels, weakest first.", field="documents.scale")
    return RequirementDocument(key=check_key(raw.get("key"), "documents.key"),
                               title=text(raw, "title") or "",
                               scale=tuple(s.strip() for s in scale))

"""One fictional certification set-up shared by the registry's tests (unit, integration, HTTP).

Three producing schemes and arrangements modelled on real ones: RUS recognises KAZ's certificates
CCRA-style (Common Criteria up to EAL2 + ALC_FLR, limited at the cap; a collaborative profile at
any level); KAZ recognises RUS's up to trust level 4 of one document only (refusing above it,
ageing out after 36 months); KAZ recognises BLR's SOG-IS-style (EAL4, EAL7 in the smart-card
domain) until 2025. Names and numbers are invented.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kelisim.domain.certification.lifecycle import (
    Certificate,
    CertificateEvent,
    EventKind,
    event_fields,
    issue_fields,
    replay,
)
from kelisim.domain.certification.recognition import Arrangement, parse_arrangement
from kelisim.domain.certification.schemes import Scheme, parse_scheme

EALS = [f"EAL{n}" for n in range(1, 8)]

SCHEMES: dict[str, dict[str, Any]] = {
    "KZ-CC": {"key": "KZ-CC", "party": "KAZ", "name": "Kazakhstan IT security certification",
              "documents": [{"key": "CC-3.1", "title": "Common Criteria 3.1 R5", "scale": EALS},
                            {"key": "CPP-FW", "title": "cPP Stateful Traffic Filter Firewall",
                             "scale": ["conformant"]}],
              "public_fields": ["product", "vendor", "category"]},
    "RU-FSTEC": {"key": "RU-FSTEC", "party": "RUS", "name": "FSTEC certification system",
                 "documents": [{"key": "FSTEC-UD", "title": "Trust levels",
                                "scale": ["6", "5", "4", "3", "2", "1"]},
                               {"key": "FSTEC-FW", "title": "Firewall requirements",
                                "scale": ["6", "5", "4", "3", "2", "1"]}],
                 "public_fields": ["product", "vendor", "version", "category", "requirements",
                                   "issued_on", "expires_on"]},
    "BY-OAC": {"key": "BY-OAC", "party": "BLR", "name": "Belarus OAC certification",
               "documents": [{"key": "CC-3.1", "title": "Common Criteria 3.1 R5",
                              "scale": EALS}],
               "public_verification": False},
}

ARRANGEMENTS: dict[str, dict[str, Any]] = {
    "RUS-KZ": {"key": "RUS-KZ", "name": "RUS recognises KZ-CC (CCRA-style)",
               "recognising_scheme": "RU-FSTEC", "recognised_scheme": "KZ-CC",
               "caps": [{"document": "CC-3.1", "level": "EAL2", "augmentations": ["ALC_FLR"]},
                        {"document": "CPP-FW", "level": None}],
               "above_cap": "limit", "valid_from": "2021-01-01"},
    "KAZ-RU": {"key": "KAZ-RU", "name": "KAZ recognises RU-FSTEC trust levels",
               "recognising_scheme": "KZ-CC", "recognised_scheme": "RU-FSTEC",
               "caps": [{"document": "FSTEC-UD", "level": "4"}],
               "valid_from": "2020-01-01", "recognition_period_months": 36},
    "KAZ-BY": {"key": "KAZ-BY", "name": "KAZ recognises BY-OAC (SOG-IS-style)",
               "recognising_scheme": "KZ-CC", "recognised_scheme": "BY-OAC",
               "caps": [{"document": "CC-3.1", "level": "EAL4"},
                        {"document": "CC-3.1", "level": "EAL7",
                         "technical_domain": "smart_cards"}],
               "valid_from": "2019-01-01", "ends_on": "2025-01-01"},
}

DEPOSITARY_HISTORY: list[dict[str, Any]] = [
    *({"kind": "signature", "party": p, "date": "2013-11-20"}
      for p in ("KAZ", "RUS", "BLR", "ARM")),
    {"kind": "notification", "party": "KAZ", "received": "2014-03-01",
     "authorized_bodies": [{"name": "KZ CERT"}]},
    {"kind": "notification", "party": "RUS", "received": "2014-04-01",
     "authorized_bodies": [{"name": "RU body"}]},
    {"kind": "notification", "party": "BLR", "received": "2014-05-01",
     "authorized_bodies": [{"name": "BY body"}]},
    {"kind": "withdrawal_notice", "party": "BLR", "received": "2021-11-01",
     "withdrawal_date": "2022-06-01"},
]
"""KAZ, RUS, BLR in force from 2014-05-31; ARM a signatory only; BLR withdrawn from 2022-06-01."""


def certificate_json(number: str, scheme: str, *, level: str = "EAL2",
                     document: str = "CC-3.1", issued: str = "2021-03-01",
                     expires: str = "2026-03-01", **extra: Any) -> dict[str, Any]:
    body = {"number": number, "scheme": scheme, "product": f"Product {number}",
            "vendor": "Example Vendor", "version": "1.0", "category": "firewall",
            "requirements": [{"document": document, "level": level}],
            "issued_on": issued, "expires_on": expires}
    body.update(extra)
    return body


def schemes() -> dict[str, Scheme]:
    return {key: parse_scheme(raw) for key, raw in SCHEMES.items()}


def arrangements() -> list[Arrangement]:
    known = schemes()
    return [parse_arrangement(raw, known) for raw in ARRANGEMENTS.values()]


def build(raw: dict[str, Any], *events: tuple[str, dict[str, Any]]) -> Certificate:
    """A certificate replayed from its issue and later (kind, fields) events, in memory."""
    scheme = schemes()[raw["scheme"]]
    issue = issue_fields(raw, scheme)
    history = [CertificateEvent(1, EventKind.ISSUED, issue["number"], date.fromisoformat(
        issue["on"]), issue)]
    for seq, (kind, fields) in enumerate(events, 2):
        data = event_fields(EventKind(kind), fields, scheme)
        history.append(CertificateEvent(seq, EventKind(kind), issue["number"],
                                        date.fromisoformat(data["on"]), data))
    return replay(history, scheme.party)

"""A corpus of valid STIX 2.1 objects of every type (checked against stix2-validator in tests).

Deterministic ids and times so that failures reproduce; shared by the tests and the benchmark.
"""

from __future__ import annotations

import copy
import uuid
import zlib
from typing import Any

T0 = "2026-01-15T09:30:00.000Z"
T1 = "2026-02-01T10:00:00.123Z"


def sid(kind: str, n: int = 0) -> str:
    return f"{kind}--{uuid.UUID(int=zlib.crc32(kind.encode()) * 2**96 + n, version=4)}"


IDENTITY = sid("identity", 1)
TLP_GREEN2 = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def sdo(kind: str, n: int = 0, **props: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": sid(kind, n), "created": T0,
            "modified": T1, **props}


def sco(kind: str, n: int = 0, **props: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": sid(kind, n), **props}


KCP = [{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}]

VALID: dict[str, dict[str, Any]] = {
    "attack-pattern": sdo("attack-pattern", name="Spearphishing Attachment", kill_chain_phases=KCP,
                          external_references=[{"source_name": "capec",
                                                "external_id": "CAPEC-163"}]),
    "campaign": sdo("campaign", name="Operation X", first_seen="2025-01-01T00:00:00Z",
                    last_seen="2025-06-01T00:00:00Z", objective="espionage"),
    "course-of-action": sdo("course-of-action", name="Block port 445"),
    "grouping": sdo("grouping", context="suspicious-activity", object_refs=[sid("indicator")]),
    "identity": sdo("identity", 1, name="CERT-KZ", identity_class="organization",
                    sectors=["government-national"]),
    "incident": sdo("incident", name="Compromise of mail server"),
    "indicator": sdo("indicator", name="C2 address", indicator_types=["malicious-activity"],
                     pattern="[ipv4-addr:value = '198.51.100.7']", pattern_type="stix",
                     valid_from="2026-01-15T09:30:00Z", created_by_ref=IDENTITY,
                     object_marking_refs=[TLP_GREEN2]),
    "indicator-yara": sdo("indicator", 2, pattern="rule x { condition: true }",
                          pattern_type="yara", valid_from="2026-01-15T09:30:00Z"),
    "infrastructure": sdo("infrastructure", name="C2 cluster",
                          infrastructure_types=["command-and-control"]),
    "intrusion-set": sdo("intrusion-set", name="APT-Z", aliases=["Zeta"], goals=["theft"]),
    "location": sdo("location", region="central-asia", country="KZ"),
    "location-coords": sdo("location", 2, latitude=51.16, longitude=71.47, precision=1000.0),
    "malware": sdo("malware", name="BadRAT", is_family=True,
                   malware_types=["remote-access-trojan"]),
    "malware-sample": sdo("malware", 2, is_family=False),
    "malware-analysis": sdo("malware-analysis", product="sandbox", result="malicious"),
    "note": sdo("note", content="Seen in two agencies", object_refs=[sid("malware")]),
    "observed-data": sdo("observed-data", first_observed="2026-01-01T00:00:00Z",
                         last_observed="2026-01-01T01:00:00Z", number_observed=3,
                         object_refs=[sid("ipv4-addr")]),
    "opinion": sdo("opinion", opinion="agree", object_refs=[sid("report")]),
    "report": sdo("report", name="Weekly threat report", published="2026-01-15T09:30:00Z",
                  report_types=["threat-report"], object_refs=[sid("indicator"), sid("malware")]),
    "threat-actor": sdo("threat-actor", name="Actor One", threat_actor_types=["nation-state"]),
    "tool": sdo("tool", name="mimikatz", tool_types=["credential-exploitation"]),
    "vulnerability": sdo("vulnerability", name="CVE-2024-3094",
                         external_references=[{"source_name": "cve",
                                               "external_id": "CVE-2024-3094"}]),
    "relationship": sdo("relationship", relationship_type="indicates", source_ref=sid("indicator"),
                        target_ref=sid("malware")),
    "sighting": sdo("sighting", sighting_of_ref=sid("indicator"), count=2,
                    where_sighted_refs=[IDENTITY], first_seen="2026-01-01T00:00:00Z",
                    last_seen="2026-01-02T00:00:00Z"),
    "marking-definition": {"type": "marking-definition", "spec_version": "2.1",
                           "id": sid("marking-definition"), "created": T0,
                           "definition_type": "statement",
                           "definition": {"statement": "Copyright 2026 CERT-KZ"}},
    "tlp-white": {"type": "marking-definition", "spec_version": "2.1",
                  "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                  "created": "2017-01-20T00:00:00.000Z", "name": "TLP:WHITE",
                  "definition_type": "tlp", "definition": {"tlp": "white"}},
    "extension-definition": sdo("extension-definition", name="x", created_by_ref=IDENTITY,
                                schema="https://example.org/schema.json", version="1.0.0",
                                extension_types=["property-extension"]),
    "language-content": sdo("language-content", object_ref=sid("campaign"),
                            object_modified=T1, contents={"ru": {"name": "Операция X"}}),
    "ipv4-addr": sco("ipv4-addr", value="198.51.100.7"),
    "ipv6-addr": sco("ipv6-addr", value="2001:db8::1"),
    "domain-name": sco("domain-name", value="evil.example"),
    "url": sco("url", value="https://evil.example/a"),
    "file": sco("file", name="a.exe", hashes={"SHA-256": "a" * 64}),
    "email-addr": sco("email-addr", value="a@evil.example"),
    "mac-addr": sco("mac-addr", value="00:00:5e:00:53:af"),
    "mutex": sco("mutex", name="Global\\x"),
    "software": sco("software", name="Word", vendor="Microsoft"),
    "autonomous-system": sco("autonomous-system", number=64496),
    "directory": sco("directory", path="C:\\Windows"),
    "network-traffic": sco("network-traffic", protocols=["tcp"], src_ref=sid("ipv4-addr")),
    "custom-object": sdo("x-kelisim-note", x_text="custom"),
}


def valid(name: str) -> dict[str, Any]:
    return copy.deepcopy(VALID[name])

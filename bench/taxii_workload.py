"""The TAXII benchmark's workload: a deterministic, realistic mix of valid STIX 2.1 objects.

Why: the comparison in issue 4 ("Performance") is only fair if every server receives the very
same objects. Envelope ``n`` of seed ``s`` is a pure function of ``(s, n)``, so any store size
can be (re)built lazily, object ids can be sampled without keeping a million objects in memory,
and two runs send byte-identical envelopes.

Each 1,000-object envelope is self-contained (every reference points inside it), like a feed
export of one producer: identities, malware, attack patterns, indicators with varied STIX
patterns (STIX 2.1 section 9), relationships (indicates/uses), sightings and reports with
``object_refs``. Content is fictional: addresses come from the documentation ranges
(RFC 5737), domains end in ``.example`` (RFC 2606).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ENVELOPE_SIZE = 1000
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"

# Objects of each type in one 1,000-object envelope (sums to ENVELOPE_SIZE).
MIX: dict[str, int] = {
    "identity": 20, "malware": 100, "attack-pattern": 80, "indicator": 400,
    "relationship": 300, "sighting": 60, "report": 40,
}
assert sum(MIX.values()) == ENVELOPE_SIZE

FAMILIES = ["Kettlebell", "Saxaul", "Steppewind", "Tulpar", "Arkhar", "Zhusan", "Berkut",
            "Irbis", "Kokpar", "Shanyrak", "Dombra", "Altyn"]
MALWARE_TYPES = ["ransomware", "backdoor", "remote-access-trojan", "dropper", "spyware",
                 "worm", "keylogger", "downloader"]
TECHNIQUES = ["Spearphishing attachment", "Credential dumping", "Exploit public-facing "
              "application", "Command-line interface", "Scheduled task", "Data encrypted for "
              "impact", "Valid accounts", "Remote services", "DNS tunnelling", "Process injection"]
SECTORS = ["government-national", "financial-services", "telecommunications", "energy",
           "defense", "education", "healthcare", "transportation"]
TLDS = ["example", "test.example", "corp.example", "cdn.example"]


def envelope(seed: int, number: int, size: int = ENVELOPE_SIZE) -> list[dict[str, Any]]:
    """Envelope ``number`` (0-based) of the workload ``seed``: ``size`` valid STIX 2.1 objects."""
    rng = random.Random(seed * 1_000_003 + number)
    base = BASE_TIME + timedelta(minutes=number)
    factory = _Factory(rng, base)
    counts = {kind: max(1, count * size // ENVELOPE_SIZE) for kind, count in MIX.items()}
    counts["indicator"] += size - sum(counts.values())
    identities = [factory.identity() for _ in range(counts["identity"])]
    malware = [factory.malware(rng.choice(identities)) for _ in range(counts["malware"])]
    patterns = [factory.attack_pattern(rng.choice(identities))
                for _ in range(counts["attack-pattern"])]
    indicators = [factory.indicator(rng.choice(identities)) for _ in range(counts["indicator"])]
    relationships = []
    for i in range(counts["relationship"]):
        if i % 3 == 2:
            relationships.append(factory.relationship(
                rng.choice(identities), "uses", rng.choice(malware), rng.choice(patterns)))
        else:
            relationships.append(factory.relationship(
                rng.choice(identities), "indicates", rng.choice(indicators), rng.choice(malware)))
    sightings = [factory.sighting(rng.choice(identities), rng.choice(indicators),
                                  rng.sample(identities, k=min(2, len(identities))))
                 for _ in range(counts["sighting"])]
    referable = indicators + malware + patterns + relationships
    reports = [factory.report(rng.choice(identities),
                              rng.sample(referable, k=min(len(referable), rng.randint(5, 40))))
               for _ in range(counts["report"])]
    objects = identities + malware + patterns + indicators + relationships + sightings + reports
    rng.shuffle(objects)
    return objects[:size]


class _Factory:
    """Makes one envelope's objects from its random generator."""

    def __init__(self, rng: random.Random, base: datetime) -> None:
        self.rng = rng
        self.base = base

    def _id(self, kind: str) -> str:
        return f"{kind}--{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    def _stamp(self) -> str:
        moment = self.base + timedelta(milliseconds=self.rng.randint(0, 59_999))
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def _common(self, kind: str, author: dict[str, Any] | None) -> dict[str, Any]:
        stamp = self._stamp()
        obj: dict[str, Any] = {"type": kind, "spec_version": "2.1", "id": self._id(kind),
                               "created": stamp, "modified": stamp}
        if author is not None:
            obj["created_by_ref"] = author["id"]
            obj["object_marking_refs"] = [self.rng.choice([TLP_CLEAR, TLP_GREEN])]
        return obj

    def identity(self) -> dict[str, Any]:
        obj = self._common("identity", None)
        obj.update(name=f"CERT team {self.rng.randint(1, 999)} (fictional)",
                   identity_class="organization", sectors=[self.rng.choice(SECTORS)])
        return obj

    def malware(self, author: dict[str, Any]) -> dict[str, Any]:
        obj = self._common("malware", author)
        family = self.rng.choice(FAMILIES)
        obj.update(name=f"{family}.{self.rng.randint(1, 99)}", is_family=self.rng.random() < 0.3,
                   malware_types=self.rng.sample(MALWARE_TYPES, k=self.rng.randint(1, 2)),
                   description=f"Fictional {family} variant observed by a CERT.")
        return obj

    def attack_pattern(self, author: dict[str, Any]) -> dict[str, Any]:
        obj = self._common("attack-pattern", author)
        obj.update(name=self.rng.choice(TECHNIQUES),
                   external_references=[{"source_name": "capec",
                                         "external_id": f"CAPEC-{self.rng.randint(1, 700)}"}])
        return obj

    def indicator(self, author: dict[str, Any]) -> dict[str, Any]:
        obj = self._common("indicator", author)
        obj.update(name=f"Indicator {obj['id'][-12:]}", indicator_types=["malicious-activity"],
                   description="Fictional indicator shared between authorized bodies.",
                   pattern=self.pattern(), pattern_type="stix", valid_from=obj["created"])
        return obj

    def relationship(self, author: dict[str, Any], kind: str, source: dict[str, Any],
                     target: dict[str, Any]) -> dict[str, Any]:
        obj = self._common("relationship", author)
        obj.update(relationship_type=kind, source_ref=source["id"], target_ref=target["id"])
        return obj

    def sighting(self, author: dict[str, Any], indicator: dict[str, Any],
                 where: list[dict[str, Any]]) -> dict[str, Any]:
        obj = self._common("sighting", author)
        obj.update(sighting_of_ref=indicator["id"], where_sighted_refs=[w["id"] for w in where],
                   count=self.rng.randint(1, 500), first_seen=obj["created"],
                   last_seen=obj["created"])
        return obj

    def report(self, author: dict[str, Any], refs: list[dict[str, Any]]) -> dict[str, Any]:
        obj = self._common("report", author)
        obj.update(name=f"Weekly exchange report {self.rng.randint(1, 52)} (fictional)",
                   report_types=["threat-report"], published=obj["created"],
                   object_refs=[r["id"] for r in refs])
        return obj

    def pattern(self) -> str:
        """A valid STIX 2.1 pattern (section 9) drawn from the shapes CERT feeds carry."""
        r = self.rng
        ip = f"{r.choice(['192.0.2', '198.51.100', '203.0.113'])}.{r.randint(1, 254)}"
        domain = f"{_word(r)}{r.randint(1, 9999)}.{r.choice(TLDS)}"
        sha256 = f"{r.getrandbits(256):064x}"
        shapes = [
            lambda: f"[ipv4-addr:value = '{ip}']",
            lambda: f"[ipv4-addr:value ISSUBSET '{ip.rsplit('.', 1)[0]}.0/24']",
            lambda: f"[domain-name:value = '{domain}']",
            lambda: f"[url:value = 'https://{domain}/{_word(r)}/{r.randint(1, 999)}.php']",
            lambda: f"[file:hashes.'SHA-256' = '{sha256}']",
            lambda: (f"[file:hashes.MD5 = '{r.getrandbits(128):032x}' OR "
                     f"file:name = '{_word(r)}.exe']"),
            lambda: (f"[email-addr:value = '{_word(r)}@{domain}'] AND "
                     f"[email-message:subject LIKE '%{_word(r)}%']"),
            lambda: (f"[network-traffic:dst_ref.value = '{ip}' AND "
                     f"network-traffic:dst_port = {r.choice([443, 8443, 4444, 53, 8080])}]"),
            lambda: f"[process:command_line MATCHES '^powershell.*-enc {_word(r)}']",
            lambda: (f"([file:name = '{_word(r)}.dll'] FOLLOWEDBY "
                     f"[domain-name:value = '{domain}']) WITHIN {r.randint(1, 600)} SECONDS"),
            lambda: f"[file:size > {r.randint(1, 10_000_000)} AND file:name = '{_word(r)}.bin']",
            lambda: f"[x509-certificate:hashes.'SHA-1' = '{r.getrandbits(160):040x}']",
        ]
        return r.choice(shapes)()


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))


def sample_ids(seed: int, envelopes: int, count: int, rng: random.Random) -> list[str]:
    """``count`` ids drawn uniformly from the first ``envelopes`` envelopes (regenerated)."""
    picks: dict[int, int] = {}
    for _ in range(count):
        number = rng.randrange(envelopes)
        picks[number] = picks.get(number, 0) + 1
    ids: list[str] = []
    for number, k in sorted(picks.items()):
        objects = envelope(seed, number)
        ids.extend(obj["id"] for obj in rng.sample(objects, k=min(k, len(objects))))
    rng.shuffle(ids)
    return ids

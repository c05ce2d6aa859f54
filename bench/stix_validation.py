"""STIX intake speed: kelisim's validator vs stix2.parse and stix2-validator; patterns too.

Run: python bench/stix_validation.py   (prints a table; nothing is timed inside the unit tests)

The mix (issue 4, Performance): indicators with unique STIX patterns, malware, attack patterns,
relationships, reports, identities and sightings, deterministic. Reference implementations run
on a sample (they are slow) and are reported per second.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import stix2
from stix2patterns.validator import run_validator
from stix2validator import validate_instance

from kelisim.domain.stix import patterns as pattern_module
from kelisim.domain.stix.patterns import pattern_error
from kelisim.domain.stix.validation import validate_stix_object

T0, T1 = "2026-01-15T09:30:00.000Z", "2026-01-16T10:00:00.000Z"


def _id(kind: str, rng: random.Random) -> str:
    return f"{kind}--{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _pattern(i: int, rng: random.Random) -> str:
    choice = i % 4
    if choice == 0:
        return f"[ipv4-addr:value = '10.{i % 256}.{(i // 256) % 256}.{rng.randrange(256)}']"
    if choice == 1:
        return f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']"
    if choice == 2:
        return (f"[domain-name:value = 'c2-{i}.example'] AND [url:value LIKE '%/gate{i}.php'] "
                "WITHIN 600 SECONDS")
    return (f"[network-traffic:dst_port = {1024 + i % 6000} AND "
            f"network-traffic:dst_ref.value = '192.0.2.{i % 256}']")


def mix(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    base = {"spec_version": "2.1", "created": T0, "modified": T1}
    identity = {"type": "identity", "id": _id("identity", rng), **base, "name": "CERT",
                "identity_class": "organization"}
    out: list[dict[str, Any]] = []
    for i in range(n):
        slot = i % 10
        if slot < 4:
            out.append({"type": "indicator", "id": _id("indicator", rng), **base,
                        "created_by_ref": identity["id"], "pattern": _pattern(i, rng),
                        "pattern_type": "stix", "valid_from": T0,
                        "indicator_types": ["malicious-activity"], "name": f"IOC {i}"})
        elif slot == 4:
            out.append({"type": "malware", "id": _id("malware", rng), **base, "name": f"M{i}",
                        "is_family": True, "malware_types": ["trojan"]})
        elif slot == 5:
            out.append({"type": "attack-pattern", "id": _id("attack-pattern", rng), **base,
                        "name": f"T{i}", "kill_chain_phases": [
                            {"kill_chain_name": "mitre-attack", "phase_name": "execution"}]})
        elif slot in (6, 7):
            out.append({"type": "relationship", "id": _id("relationship", rng), **base,
                        "relationship_type": "indicates", "source_ref": _id("indicator", rng),
                        "target_ref": _id("malware", rng)})
        elif slot == 8:
            out.append({"type": "report", "id": _id("report", rng), **base, "name": f"R{i}",
                        "published": T1, "object_refs": [_id("indicator", rng)
                                                         for _ in range(5)]})
        else:
            out.append({"type": "sighting", "id": _id("sighting", rng), **base,
                        "sighting_of_ref": _id("indicator", rng), "count": 3,
                        "where_sighted_refs": [identity["id"]]} if i % 20 == 9 else
                       {**identity, "id": _id("identity", rng), "name": f"Body {i}"})
    return out


def rate(fn: Callable[[Any], Any], items: list[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    objects = mix(20_000)
    sample = objects[:1_000]
    rows: list[tuple[str, float, str]] = []
    pattern_module._analyse.cache_clear()
    ours_cold = rate(validate_stix_object, objects)
    rows.append(("kelisim validate_stix_object (cold pattern cache)", ours_cold, "objects/s"))
    rows.append(("kelisim validate_stix_object (warm pattern cache)",
                 rate(validate_stix_object, objects), "objects/s"))
    envelope = mix(1_000, seed=99)
    pattern_module._analyse.cache_clear()
    start = time.perf_counter()
    assert all(validate_stix_object(o) == [] for o in envelope)
    envelope_ms = (time.perf_counter() - start) * 1000
    rows.append(("stix2.parse(allow_custom=False)",
                 rate(lambda o: stix2.parse(o, allow_custom=False), sample), "objects/s"))
    rows.append(("stix2validator.validate_instance",
                 rate(validate_instance, sample[:300]), "objects/s"))
    patterns = [o["pattern"] for o in objects if o["type"] == "indicator"]
    pattern_module._analyse.cache_clear()
    rows.append(("kelisim pattern_error (cold cache)", rate(pattern_error, patterns),
                 "patterns/s"))
    rows.append(("kelisim pattern_error (warm cache)", rate(pattern_error, patterns),
                 "patterns/s"))
    rows.append(("stix2-patterns run_validator", rate(run_validator, patterns[:500]),
                 "patterns/s"))
    width = max(len(r[0]) for r in rows)
    print(f"{'implementation':<{width}}  {'rate':>12}  unit")
    for name, value, unit in rows:
        print(f"{name:<{width}}  {value:>12,.0f}  {unit}")
    print(f"\n1,000-object envelope (cold cache): {envelope_ms:.1f} ms  "
          f"(target < 50 ms); mix validated at {ours_cold / rows[2][1]:.0f}x stix2.parse")


if __name__ == "__main__":
    main()

"""Sightings of an object, by reporting Party (issue 16, item 2; STIX 2.1 §5.2).

An authorized body reports that it saw an indicator, observed data or any other object with a
STIX `sighting`: `sighting_of_ref`, `first_seen`, `last_seen`, `count`, `where_sighted_refs`,
and, in the kelisim extension, MISP's sighting type (`sighting`, `false-positive`, `expired`;
`extension.SIGHTING_TYPES`). The summary of an object's sightings is computed here from the
sightings its reader may read (the service passes no other), grouped by the Party that posted
each one: how many of each type, the total `count`, the earliest `first_seen` and the latest
`last_seen`.

A sighting without `count` counts as one: STIX 2.1 §5.2 leaves the number unknown, and a
sighting reports at least the one it is. Only the latest version of each sighting is counted:
an updated sighting replaces its earlier versions rather than adding to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kelisim.domain.stix.extension import SIGHTING_TYPES, agreement_properties

__all__ = [
    "PartySightings",
    "Sighting",
    "SightingFacts",
    "facts_of",
    "latest_versions",
    "summarize",
]


@dataclass(frozen=True)
class SightingFacts:
    """What a sighting says (timestamps as the fixed-width version keys, which sort as text)."""

    first_seen: str | None
    last_seen: str | None
    count: int | None
    sighting_type: str


@dataclass(frozen=True)
class Sighting:
    """One stored sighting version the reader may read."""

    collection_id: str
    stix_id: str
    version: str
    producer_party: str | None
    restricted_owner: str | None
    facts: SightingFacts

    @property
    def counted(self) -> int:
        return 1 if self.facts.count is None else self.facts.count


@dataclass
class PartySightings:
    """The sightings one Party reported (`party` None: those the node itself published)."""

    party: str | None
    by_type: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SIGHTING_TYPES, 0))
    total_count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def reports(self) -> int:
        return sum(self.by_type.values())


def facts_of(obj: Mapping[str, Any], key: Any) -> SightingFacts:
    """The facts of a checked sighting; `key` turns a STIX timestamp into its sortable key."""
    properties = agreement_properties(obj)
    count = obj.get("count")
    return SightingFacts(
        first_seen=key(obj["first_seen"]) if isinstance(obj.get("first_seen"), str) else None,
        last_seen=key(obj["last_seen"]) if isinstance(obj.get("last_seen"), str) else None,
        count=count if type(count) is int else None,
        sighting_type=(properties.sighting_type if properties else None) or "sighting")


def latest_versions(sightings: Iterable[Sighting]) -> list[Sighting]:
    """The latest version of each sighting (per collection and producer: each Party's versions
    of an id are a chain of their own, STIX 2.1 §3.6)."""
    latest: dict[tuple[str, str, str | None], Sighting] = {}
    for s in sightings:
        key = (s.collection_id, s.stix_id, s.producer_party)
        if key not in latest or s.version > latest[key].version:
            latest[key] = s
    return list(latest.values())


def summarize(sightings: Iterable[Sighting], per_party: int) -> list[PartySightings]:
    """One group per reporting Party, most reports first (then by Party code); each lists up to
    `per_party` sightings, the latest `last_seen` (else version) first."""
    groups: dict[str | None, PartySightings] = {}
    for s in latest_versions(sightings):
        group = groups.setdefault(s.producer_party, PartySightings(s.producer_party))
        group.by_type[s.facts.sighting_type] += 1
        group.total_count += s.counted
        if s.facts.first_seen and (group.first_seen is None
                                   or s.facts.first_seen < group.first_seen):
            group.first_seen = s.facts.first_seen
        if s.facts.last_seen and (group.last_seen is None or s.facts.last_seen > group.last_seen):
            group.last_seen = s.facts.last_seen
        group.sightings.append(s)
    for group in groups.values():
        group.sightings.sort(key=lambda s: (s.facts.last_seen or s.version, s.stix_id),
                             reverse=True)
        del group.sightings[per_party:]
    return sorted(groups.values(), key=lambda g: (-g.reports, g.party or ""))

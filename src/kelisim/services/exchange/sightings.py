"""An object's sightings, by reporting Party (issue 16, item 2; STIX 2.1 §5.2).

Read from the references index (`storage.references_index`) within what the reader may read
today, exactly as correlation is (`collections.reader_scope`): the reader's compiled Art. 6
scope and only the collections it may read. A sighting the reader may not read is neither
listed, counted nor used for a date; an object it may not read is 404 like one never stored.
The summary rule is `domain.sightings`. Every sighting a summary uses is counted information
of its producer, so a summary using restricted-access sightings is audited (endpoint
`sightings`) before it is served, like a page naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kelisim.domain.accounts import Principal
from kelisim.domain.sightings import PartySightings, Sighting, SightingFacts, summarize
from kelisim.domain.taxii import stix_version
from kelisim.services.exchange.collections import find_in, reader_scope
from kelisim.services.exchange.correlation import audited, require_visible
from kelisim.services.exchange.reading import readable
from kelisim.services.runtime import Runtime
from kelisim.storage.observables_index import names_of
from kelisim.storage.references_index import held, latest_visible, referred_many, sightings_of

PER_PARTY = 20
MAX_SIGHTINGS = 10_000
"""A summary covers at most this many sighting versions (`more` says when there were more)."""


@dataclass(frozen=True)
class Places:
    """Where a listed sighting was made and from what (its `where_sighted_refs` and
    `observed_data_refs`, ids as the sighting gives them)."""

    where_sighted: tuple[str, ...]
    observed_data: tuple[str, ...]


NO_PLACES = Places((), ())


@dataclass(frozen=True)
class Sightings:
    collection_id: str
    stix_id: str
    parties: list[PartySightings]
    more: bool
    places: dict[tuple[str, str], Places]
    """(collection, sighting id) -> its places, for the sightings listed."""
    names: dict[str, str]
    """The names of the places the reader may read (identities, locations)."""

    @property
    def reports(self) -> int:
        return sum(group.reports for group in self.parties)

    def as_json(self) -> dict[str, Any]:
        """As the API answers (timestamps as STIX gives them)."""
        return {"collection": self.collection_id, "id": self.stix_id, "reports": self.reports,
                "parties": [self._party(g) for g in self.parties], "more": self.more}

    def _party(self, group: PartySightings) -> dict[str, Any]:
        return {"party": group.party, "reports": group.reports, "by_type": group.by_type,
                "total_count": group.total_count, "first_seen": _stamp(group.first_seen),
                "last_seen": _stamp(group.last_seen),
                "sightings": [self._sighting(s) for s in group.sightings]}

    def _sighting(self, s: Sighting) -> dict[str, Any]:
        places = self.places.get((s.collection_id, s.stix_id), NO_PLACES)
        return {"collection": s.collection_id, "id": s.stix_id,
                "version": stix_version(s.version), "sighting_type": s.facts.sighting_type,
                "count": s.facts.count, "first_seen": _stamp(s.facts.first_seen),
                "last_seen": _stamp(s.facts.last_seen),
                "where_sighted_refs": list(places.where_sighted),
                "observed_data_refs": list(places.observed_data)}


def _stamp(key: str | None) -> str | None:
    return stix_version(key) if key else None


def sightings_of_object(rt: Runtime, principal: Principal, collection_key: str, object_id: str,
                        per_party: int = PER_PARTY) -> Sightings:
    """The sightings the reader may read of an object it may read, grouped by reporting Party."""
    with rt.unit_of_work() as uow:
        state, reach, collections = reader_scope(rt, principal, uow)
        collection = readable(find_in(uow, principal, collection_key, state))
        require_visible(uow, collection.id, reach, object_id)
        connection = uow.connection
        rows = sightings_of(connection, collections, reach, object_id, MAX_SIGHTINGS)
        more, rows = len(rows) > MAX_SIGHTINGS, rows[:MAX_SIGHTINGS]
        latest = latest_visible(connection, collections, reach, {r.stix_id for r in rows})
        used = [Sighting(r.collection_id, r.stix_id, r.version, r.producer_party,
                         r.restricted_owner, SightingFacts(r.first_seen, r.last_seen, r.times,
                                                           r.sighting_type or "sighting"))
                for r in rows
                if latest.get((r.collection_id, r.stix_id, r.producer_party)) == r.version]
        parties = summarize(used, per_party)
        listed = [s for group in parties for s in group.sightings]
        places = _places(referred_many(connection, reach, listed))
        wanted = {ref for p in places.values() for ref in p.where_sighted}
        names = names_of(connection, reach, held(connection, collections, reach, wanted))
    audited(rt, principal, "sightings", used)
    return Sightings(collection.id, object_id, parties, more, places, names)


def _places(found: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], Places]:
    where: dict[tuple[str, str], list[str]] = {}
    observed: dict[tuple[str, str], list[str]] = {}
    for collection_id, stix_id, prop, ref in found:
        key = (collection_id, stix_id)
        where.setdefault(key, [])
        observed.setdefault(key, [])
        if prop == "where_sighted_refs":
            where[key].append(ref)
        elif prop == "observed_data_refs":
            observed[key].append(ref)
    return {key: Places(tuple(where[key]), tuple(observed[key])) for key in where}

"""The exchange's rows as the federation reads and writes them (issue 14 items 3-5).

The origin side finds what changed among its own objects in a collection since a peer's mark:
rows added after a `date_added` and tombstones after an id. Both are given out under the
collection's intake lock (`ObjectsRepository.lock_collection`), so within a collection they
commit in the order they are numbered and a mark never skips a row that commits later. No
timestamp is used as a cursor (the defect of TAXII polling by `added_after`).

The receiving side writes a copy's versions as ordinary exchange rows of the origin's Party, with
the gates of the origin's markings, so its own readers are served by the same Art. 6 policy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from kelisim.domain import exchange_policy as policy
from kelisim.domain.exchange_policy import Gates, Marking
from kelisim.domain.stix.observables import observables
from kelisim.storage.analyst_indexes import drop_versions, index_versions
from kelisim.storage.chain_rows import as_bytes
from kelisim.storage.exchange_objects import ObjectsRepository
from kelisim.storage.observables_index import index_row, insert_index
from kelisim.storage.references_index import insert_references, reference_rows
from kelisim.storage.schema import exchange_objects, exchange_tombstones

T = exchange_objects
TOMB = exchange_tombstones
CHUNK = 500


def marking_of(tlp: str | None, restricted_owner: str | None, stored: Gates,
               producer: str | None) -> Marking:
    """A Marking that the policy treats exactly as the one the gates were compiled from
    (`exchange_policy.gates`): recipients from the TLP gate, allowed Parties from the
    restricted gate (both include the producer, which may read anyway)."""
    tokens = [t for t in (stored.tlp or "").split(policy.SEP) if t]
    allowed = [p for p in (stored.restricted or "").split(policy.SEP) if p]
    return Marking(tlp=tlp,
                   recipient_parties=frozenset(t[2:] for t in tokens if t.startswith("P:")),
                   recipient_bodies=frozenset(t[2:] for t in tokens if t.startswith("B:")),
                   restricted_owner=restricted_owner,
                   restricted_allowed=frozenset(allowed) - {restricted_owner or ""},
                   producer_party=producer)


class FederationObjects:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # --- the origin's side ----------------------------------------------------------------------

    def changed_ids(self, collection_id: str, producer: str, after_added: int,
                    after_tombstone: int, limit: int) -> tuple[set[str], int, int, bool]:
        """The ids of `producer`'s objects added or deleted since the marks (at most about
        `limit` rows of each, oldest first), the new marks, and whether that was all of them.

        A cut never falls inside one `date_added`: the rows sharing the last stamp taken are
        all taken, so the next call, after the new mark, misses none."""
        added = list(self._conn.execute(
            select(T.c.stix_id, T.c.date_added).where(
                T.c.collection_id == collection_id, T.c.producer_party == producer,
                T.c.date_added > after_added).order_by(T.c.date_added).limit(limit)))
        complete = len(added) < limit
        if not complete:
            added.extend(self._conn.execute(
                select(T.c.stix_id, T.c.date_added).where(
                    T.c.collection_id == collection_id, T.c.producer_party == producer,
                    T.c.date_added == added[-1][1])))
        deleted = self._conn.execute(
            select(TOMB.c.stix_id, TOMB.c.id).where(
                TOMB.c.collection_id == collection_id, TOMB.c.producer_party == producer,
                TOMB.c.id > after_tombstone).order_by(TOMB.c.id).limit(limit)).all()
        complete = complete and len(deleted) < limit
        ids = {r[0] for r in added} | {r[0] for r in deleted}
        return (ids, max([after_added, *(int(r[1]) for r in added)]),
                max([after_tombstone, *(int(r[1]) for r in deleted)]), complete)

    def all_ids(self, collection_id: str, producer: str) -> set[str]:
        rows = self._conn.execute(select(T.c.stix_id).distinct().where(
            T.c.collection_id == collection_id, T.c.producer_party == producer))
        return {r[0] for r in rows}

    def own_versions(self, collection_id: str, producer: str, stix_ids: Iterable[str]
                     ) -> dict[str, list[dict[str, Any]]]:
        """Each id's stored versions by `producer`, oldest first, with sha256 and marking."""
        ids = sorted(set(stix_ids))
        found: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for start in range(0, len(ids), CHUNK):
            rows = self._conn.execute(
                select(T.c.stix_id, T.c.version, T.c.tlp, T.c.restricted_owner, T.c.tlp_gate,
                       T.c.restricted_gate, T.c.open_access, T.c.raw).where(
                    T.c.collection_id == collection_id, T.c.producer_party == producer,
                    T.c.stix_id.in_(ids[start:start + CHUNK])).order_by(T.c.stix_id,
                                                                        T.c.version))
            for r in rows:
                raw = as_bytes(r.raw)
                found[r.stix_id].append({
                    "version": r.version, "sha256": hashlib.sha256(raw).hexdigest(),
                    "marking": marking_of(r.tlp, r.restricted_owner,
                                          Gates(r.tlp_gate, r.restricted_gate,
                                                bool(r.open_access)), producer)})
        return found

    def raws(self, collection_id: str, producer: str,
             wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
        """The raw bytes of these (id, version) of `producer`, those still stored. Asked by id
        (one IN list, one cached statement a chunk), the versions picked here: an object has
        few versions, and a statement of one OR per pair is compiled anew every time."""
        pairs = set(wanted)
        ids = sorted({stix_id for stix_id, _ in pairs})
        found: dict[tuple[str, str], bytes] = {}
        for start in range(0, len(ids), CHUNK):
            rows = self._conn.execute(select(T.c.stix_id, T.c.version, T.c.raw).where(
                T.c.collection_id == collection_id, T.c.producer_party == producer,
                T.c.stix_id.in_(ids[start:start + CHUNK])))
            found.update({(r.stix_id, r.version): as_bytes(r.raw) for r in rows
                          if (r.stix_id, r.version) in pairs})
        return found

    # --- the receiver's side --------------------------------------------------------------------

    def held_versions(self, collection_id: str, producer: str, stix_id: str) -> set[str]:
        rows = self._conn.execute(select(T.c.version).where(
            T.c.collection_id == collection_id, T.c.producer_party == producer,
            T.c.stix_id == stix_id))
        return {r[0] for r in rows}

    def replace_copy(self, collection_id: str, producer: str, stix_id: str,
                     keep: set[str], rows: list[dict[str, Any]], at: datetime) -> None:
        """The copy's versions become `keep` (stored) plus `rows` (new, date_added given); the
        analyst indexes follow, as they do for an intake and a deletion (issue 16), and each
        version that leaves leaves a tombstone (`bury`)."""
        gone = and_(T.c.collection_id == collection_id, T.c.producer_party == producer,
                    T.c.stix_id == stix_id,
                    T.c.version.not_in(keep) if keep else T.c.version.isnot(None))
        stamps = [r[0] for r in self._conn.execute(select(T.c.date_added).where(gone))]
        self.bury(collection_id, producer, stamps, at)
        drop_versions(self._conn, collection_id, stamps)
        self._conn.execute(delete(T).where(gone))
        repo = ObjectsRepository(self._conn)
        rows = sorted(rows, key=lambda row: row["date_added"])
        repo.insert_many(rows)
        index_versions(self._conn, [(row, orjson.loads(row["raw"])) for row in rows])
        latest = (select(func.max(T.c.version)).where(
            T.c.collection_id == collection_id, T.c.producer_party == producer,
            T.c.stix_id == stix_id).scalar_subquery())
        self._conn.execute(update(T).where(
            T.c.collection_id == collection_id, T.c.producer_party == producer,
            T.c.stix_id == stix_id).values(superseded=T.c.version != latest))
        if rows:
            repo.set_last_added(collection_id, max(row["date_added"] for row in rows))

    def held_versions_of(self, collection_id: str, producer: str, stix_ids: Iterable[str]
                         ) -> dict[str, dict[str, int]]:
        """id -> version -> date_added of `producer`'s stored versions of these ids."""
        ids = sorted(set(stix_ids))
        found: dict[str, dict[str, int]] = {}
        for start in range(0, len(ids), CHUNK):
            for r in self._conn.execute(select(T.c.stix_id, T.c.version, T.c.date_added).where(
                    T.c.collection_id == collection_id, T.c.producer_party == producer,
                    T.c.stix_id.in_(ids[start:start + CHUNK]))):
                found.setdefault(r.stix_id, {})[r.version] = int(r.date_added)
        return found

    def replace_copies(self, collection_id: str, producer: str, stix_ids: Iterable[str],
                       gone: Sequence[int], rows: list[dict[str, Any]], at: datetime) -> None:
        """`replace_copy` for a page's worth of ids at once: the rows stamped `gone` are deleted
        (with their index rows, each leaving a tombstone), `rows` inserted, and the superseded
        flags of the ids fixed."""
        stamps = sorted(set(gone))
        self.bury(collection_id, producer, stamps, at)
        drop_versions(self._conn, collection_id, stamps)
        for start in range(0, len(stamps), CHUNK):
            part = stamps[start:start + CHUNK]
            self._conn.execute(delete(T).where(
                T.c.collection_id == collection_id, T.c.producer_party == producer,
                T.c.date_added.in_(part)))
        repo = ObjectsRepository(self._conn)
        rows = sorted(rows, key=lambda row: row["date_added"])
        repo.insert_many(rows)
        index_versions(self._conn, [(row, orjson.loads(row["raw"])) for row in rows])
        ids = sorted(set(stix_ids))
        other = T.alias("other")
        for start in range(0, len(ids), CHUNK):
            latest = (select(func.max(other.c.version)).where(
                other.c.collection_id == T.c.collection_id,
                other.c.producer_party == T.c.producer_party,
                other.c.stix_id == T.c.stix_id).scalar_subquery())
            self._conn.execute(update(T).where(
                T.c.collection_id == collection_id, T.c.producer_party == producer,
                T.c.stix_id.in_(ids[start:start + CHUNK])).values(
                    superseded=T.c.version != latest))
        if rows:
            repo.set_last_added(collection_id, max(row["date_added"] for row in rows))


    def bury(self, collection_id: str, producer: str, stamps: Sequence[int],
             at: datetime) -> None:
        """A tombstone for each copied version about to leave (TAXII 2.1 section 5.7), as a
        local deletion leaves one: with the version's gates, so that it is listed to exactly
        those who could read the version, and no deleting account (its origin deleted it, or
        the markings no longer let this node hold it)."""
        for start in range(0, len(stamps), CHUNK):
            part = self._conn.execute(select(
                T.c.stix_id, T.c.version, T.c.restricted_owner, T.c.tlp_gate,
                T.c.restricted_gate, T.c.open_access).where(
                T.c.collection_id == collection_id, T.c.producer_party == producer,
                T.c.date_added.in_(stamps[start:start + CHUNK]))).all()
            if part:
                self._conn.execute(insert(TOMB), [
                    {"collection_id": collection_id, "stix_id": r.stix_id,
                     "version": r.version, "producer_party": producer, "deleted_by": None,
                     "deleted_at": at, "restricted_owner": r.restricted_owner,
                     "tlp_gate": r.tlp_gate, "restricted_gate": r.restricted_gate,
                     "open_access": r.open_access} for r in part])


def _index(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """The correlation and references indexes of new copies (issue 16, items 1, 2 and 10)."""
    parsed = [(row, orjson.loads(row["raw"])) for row in rows]
    insert_index(connection, [index_row(row, found) for row, obj in parsed
                              for found in observables(obj)])
    insert_references(connection, [ref for row, obj in parsed
                                   for ref in reference_rows(row, obj)])

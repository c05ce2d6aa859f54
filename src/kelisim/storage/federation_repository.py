"""The federation's tables (issue 14): this node, the roster, checkpoints and witnesses, peers,
what was sent to each peer and what is held of theirs, the transfer log and its receipts.

Rows only; what they mean is decided in `kelisim.domain.federation` and the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kelisim.domain.ledger import GENESIS_HASH, Head, Link, make_link
from kelisim.storage.chain_rows import as_bytes
from kelisim.storage.instants import aware
from kelisim.storage.schema import (
    federation_admissions,
    federation_checkpoints,
    federation_copies,
    federation_cosignatures,
    federation_node,
    federation_peers,
    federation_quarantine,
    federation_receipts,
    federation_rosters,
    federation_sent,
    federation_split_views,
    federation_transfer_log,
    ledger_heads,
)

NODE_ROW = 1
LOG = federation_transfer_log
CHUNK = 500


class FederationRepository:
    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # --- this node ------------------------------------------------------------------------------

    def node(self) -> dict[str, Any] | None:
        row = self._conn.execute(select(federation_node)).first()
        return None if row is None else dict(row._mapping)

    def save_node(self, **values: Any) -> None:
        self._conn.execute(delete(federation_node))
        self._conn.execute(insert(federation_node).values(id=NODE_ROW, **values))

    def update_node(self, **values: Any) -> None:
        self._conn.execute(update(federation_node).where(federation_node.c.id == NODE_ROW)
                           .values(**values))

    # --- the roster -----------------------------------------------------------------------------

    def latest_roster(self) -> dict[str, Any] | None:
        row = self._conn.execute(select(federation_rosters.c.signed)
                                 .order_by(federation_rosters.c.serial.desc()).limit(1)).first()
        return None if row is None else dict(row.signed)

    def rosters(self) -> list[dict[str, Any]]:
        """Every roster held, oldest first (a node keeps each one it took)."""
        rows = self._conn.execute(select(federation_rosters.c.signed)
                                  .order_by(federation_rosters.c.serial))
        return [dict(r.signed) for r in rows]

    def latest_roster_serial(self) -> int | None:
        return self._conn.execute(select(func.max(federation_rosters.c.serial))).scalar()

    def add_roster(self, serial: int, signed: Mapping[str, Any], at: datetime) -> None:
        self._conn.execute(insert(federation_rosters).values(serial=serial, signed=dict(signed),
                                                             received_at=at))

    def add_admission(self, **values: Any) -> None:
        self._conn.execute(insert(federation_admissions).values(**values))

    def admission(self, key_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(federation_admissions)
                                 .where(federation_admissions.c.key_id == key_id)).first()
        return None if row is None else dict(row._mapping)

    def admissions(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(federation_admissions)
                                  .order_by(federation_admissions.c.requested_at))
        return [dict(r._mapping) for r in rows]

    def decide_admission(self, key_id: str, **values: Any) -> None:
        self._conn.execute(update(federation_admissions)
                           .where(federation_admissions.c.key_id == key_id).values(**values))

    # --- checkpoints, witnesses, split views ----------------------------------------------------

    def add_checkpoint(self, size: int, head: str, signed: Mapping[str, Any], source: str,
                       at: datetime) -> None:
        """Kept once per size, head, source and signing anchor (after a transition of the
        anchor, the same checkpoint signed by the new anchor is kept as the newest)."""
        origin = dict(signed).get("checkpoint", {}).get("origin")
        known = [r.signed for r in self._conn.execute(select(federation_checkpoints.c.signed).where(
            federation_checkpoints.c.size == size, federation_checkpoints.c.head == head,
            federation_checkpoints.c.source == source))]
        if not any(dict(k).get("checkpoint", {}).get("origin") == origin for k in known):
            self._conn.execute(insert(federation_checkpoints).values(
                size=size, head=head, signed=dict(signed), source=source, received_at=at))

    def checkpoints(self, *, source: str | None = None) -> list[dict[str, Any]]:
        query = select(federation_checkpoints).order_by(federation_checkpoints.c.size,
                                                        federation_checkpoints.c.id)
        if source is not None:
            query = query.where(federation_checkpoints.c.source == source)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def latest_checkpoint(self, source: str) -> dict[str, Any] | None:
        rows = self.checkpoints(source=source)
        return rows[-1] if rows else None

    def save_cosignature(self, witness_key: str, size: int, head: str,
                         cosignature: Mapping[str, Any], at: datetime) -> None:
        table = federation_cosignatures
        self._conn.execute(delete(table).where(table.c.witness_key == witness_key,
                                               table.c.size == size))
        self._conn.execute(insert(table).values(witness_key=witness_key, size=size, head=head,
                                                cosignature=dict(cosignature), received_at=at))

    def cosignatures(self, size: int | None = None) -> list[dict[str, Any]]:
        table = federation_cosignatures
        query = select(table).order_by(table.c.size, table.c.witness_key)
        if size is not None:
            query = query.where(table.c.size == size)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def add_split_view(self, reason: str, evidence: Mapping[str, Any], at: datetime) -> bool:
        """Stored once per pair of conflicting checkpoints; True if it is new."""
        for known in self.split_views():
            if known["evidence"] == dict(evidence):
                return False
        self._conn.execute(insert(federation_split_views).values(
            detected_at=at, reason=reason, evidence=dict(evidence)))
        return True

    def split_views(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(federation_split_views)
                                  .order_by(federation_split_views.c.id))
        return [dict(r._mapping) for r in rows]

    # --- peers ----------------------------------------------------------------------------------

    def peer(self, party: str) -> dict[str, Any]:
        """The link with `party`'s node, created empty on first use."""
        row = self._conn.execute(select(federation_peers)
                                 .where(federation_peers.c.party == party)).first()
        if row is not None:
            return dict(row._mapping)
        values = {"party": party, "marks": {}, "pulled_through": 0,
                  "pulled_head": GENESIS_HASH, "last_contact": None, "last_error": None,
                  "last_pull_lag": None}
        self._upsert_ignore(federation_peers, values, ["party"])
        return self.peer(party)

    def lock_peer(self, party: str) -> dict[str, Any]:
        """The peer's row, locked for this transaction (one materialization at a time)."""
        self.peer(party)
        query = select(federation_peers).where(federation_peers.c.party == party)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()
        else:  # SQLite: take the write lock now, before reading
            self._conn.execute(update(federation_peers).where(federation_peers.c.party == party)
                               .values(party=party))
        return dict(self._conn.execute(query).one()._mapping)

    def peers(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(federation_peers).order_by(federation_peers.c.party))
        return [dict(r._mapping) for r in rows]

    def update_peer(self, party: str, **values: Any) -> None:
        self.peer(party)
        self._conn.execute(update(federation_peers).where(federation_peers.c.party == party)
                           .values(**values))

    # --- the origin's side: what each peer was sent ---------------------------------------------

    def sent(self, peer: str, collection_id: str, stix_ids: Iterable[str]
             ) -> dict[str, tuple[int, list[list[str]]]]:
        ids = sorted(set(stix_ids))
        found: dict[str, tuple[int, list[list[str]]]] = {}
        table = federation_sent
        for start in range(0, len(ids), 500):
            rows = self._conn.execute(select(table.c.stix_id, table.c.generation,
                                             table.c.versions).where(
                table.c.peer == peer, table.c.collection_id == collection_id,
                table.c.stix_id.in_(ids[start:start + 500])))
            found.update({r.stix_id: (int(r.generation), list(r.versions)) for r in rows})
        return found

    def record_sent(self, peer: str, collection_id: str,
                    sent: Sequence[tuple[str, int, Sequence[Sequence[str]]]]) -> None:
        """What was last sent of each (stix_id, generation, versions), replacing what was: one
        delete and one executemany for a batch."""
        table = federation_sent
        ids = sorted({stix_id for stix_id, _, _ in sent})
        for start in range(0, len(ids), 500):
            self._conn.execute(delete(table).where(table.c.peer == peer,
                                                   table.c.collection_id == collection_id,
                                                   table.c.stix_id.in_(ids[start:start + 500])))
        if sent:
            self._conn.execute(insert(table), [
                {"peer": peer, "collection_id": collection_id, "stix_id": stix_id,
                 "generation": generation, "versions": [list(v) for v in versions]}
                for stix_id, generation, versions in sent])

    def peers_sent_anything(self) -> dict[str, int]:
        rows = self._conn.execute(select(federation_sent.c.peer, func.count())
                                  .group_by(federation_sent.c.peer))
        return {r[0]: int(r[1]) for r in rows}

    # --- the transfer log: one hash chain per peer (sent) and per origin (arrived) --------------

    def lock_chain(self, chain: str) -> Head:
        conn = self._conn
        self._upsert_ignore(ledger_heads, {"chain": chain, "seq": 0, "hash": GENESIS_HASH},
                            ["chain"])
        query = select(ledger_heads.c.seq, ledger_heads.c.hash).where(ledger_heads.c.chain == chain)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).one()
        return Head(int(row.seq), row.hash)

    def chain_head(self, chain: str) -> Head:
        row = self._conn.execute(select(ledger_heads.c.seq, ledger_heads.c.hash)
                                 .where(ledger_heads.c.chain == chain)).first()
        return Head(0, GENESIS_HASH) if row is None else Head(int(row.seq), row.hash)

    def chain_heads(self, prefix: str) -> dict[str, Head]:
        rows = self._conn.execute(select(ledger_heads.c.chain, ledger_heads.c.seq,
                                         ledger_heads.c.hash)
                                  .where(ledger_heads.c.chain.startswith(prefix)))
        return {r.chain: Head(int(r.seq), r.hash) for r in rows}

    def append(self, chain: str, head: Head, at: datetime, entry: Mapping[str, Any]) -> Link:
        link = make_link(head.seq + 1, at, entry, head.hash)
        self.append_link(chain, link, at)
        return link

    def append_link(self, chain: str, link: Link, at: datetime) -> None:
        self._conn.execute(insert(LOG).values(chain=chain, seq=link.seq, recorded_at=at,
                                              body=link.body, hash=link.hash))
        self._conn.execute(update(ledger_heads).where(ledger_heads.c.chain == chain)
                           .values(seq=link.seq, hash=link.hash))

    def append_many(self, chain: str, head: Head,
                    entries: Sequence[tuple[datetime, Mapping[str, Any]]]) -> Head:
        """Append these entries in order, in one executemany and one head update."""
        rows = []
        for at, entry in entries:
            link = make_link(head.seq + 1, at, entry, head.hash)
            rows.append({"chain": chain, "seq": link.seq, "recorded_at": at, "body": link.body,
                         "hash": link.hash})
            head = Head(link.seq, link.hash)
        if rows:
            self._conn.execute(insert(LOG), rows)
            self._conn.execute(update(ledger_heads).where(ledger_heads.c.chain == chain)
                               .values(seq=head.seq, hash=head.hash))
        return head

    def links(self, chain: str, *, after: int = 0, limit: int | None = None) -> list[Link]:
        query = (select(LOG.c.seq, LOG.c.body, LOG.c.hash)
                 .where(LOG.c.chain == chain, LOG.c.seq > after).order_by(LOG.c.seq))
        if limit is not None:
            query = query.limit(limit)
        return [Link(int(r.seq), as_bytes(r.body), r.hash) for r in self._conn.execute(query)]

    def recorded_at(self, chain: str, seq: int) -> datetime | None:
        row = self._conn.execute(select(LOG.c.recorded_at).where(LOG.c.chain == chain,
                                                                 LOG.c.seq == seq)).first()
        return None if row is None else aware(row.recorded_at)

    def add_receipt(self, chain: str, through: int, head: str, receipt: Mapping[str, Any],
                    at: datetime) -> None:
        self._upsert_ignore(federation_receipts, {"chain": chain, "through": through,
                                                  "head": head, "receipt": dict(receipt),
                                                  "received_at": at}, ["chain", "through"])

    def latest_receipt(self, chain: str) -> dict[str, Any] | None:
        row = self._conn.execute(select(federation_receipts)
                                 .where(federation_receipts.c.chain == chain)
                                 .order_by(federation_receipts.c.through.desc()).limit(1)).first()
        return None if row is None else dict(row._mapping)

    def receipts(self, chain: str) -> list[dict[str, Any]]:
        rows = self._conn.execute(select(federation_receipts)
                                  .where(federation_receipts.c.chain == chain)
                                  .order_by(federation_receipts.c.through))
        return [dict(r._mapping) for r in rows]

    # --- the receiver's side: what it holds of other nodes' objects -----------------------------

    def copy(self, origin: str, collection_id: str, stix_id: str) -> dict[str, Any] | None:
        table = federation_copies
        row = self._conn.execute(select(table).where(
            table.c.origin_party == origin, table.c.collection_id == collection_id,
            table.c.stix_id == stix_id)).first()
        return None if row is None else dict(row._mapping)

    def copies(self, origin: str, collection_id: str, stix_ids: Iterable[str]
               ) -> dict[str, dict[str, Any]]:
        """The held copies of these ids, by id (a few statements for a whole page)."""
        table = federation_copies
        ids = sorted(set(stix_ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), CHUNK):
            for row in self._conn.execute(select(table).where(
                    table.c.origin_party == origin, table.c.collection_id == collection_id,
                    table.c.stix_id.in_(ids[start:start + CHUNK]))):
                found[row.stix_id] = dict(row._mapping)
        return found

    def save_copies(self, origin: str, collection_id: str, replaced: Iterable[str],
                    rows: Sequence[Mapping[str, Any]]) -> None:
        """Keep these copies; `replaced` are the ids of those held before (deleted first)."""
        table = federation_copies
        ids = sorted(set(replaced))
        for start in range(0, len(ids), CHUNK):
            self._conn.execute(delete(table).where(
                table.c.origin_party == origin, table.c.collection_id == collection_id,
                table.c.stix_id.in_(ids[start:start + CHUNK])))
        if rows:
            self._conn.execute(insert(table), list(rows))

    def save_copy(self, *, replace: bool = True, **values: Any) -> None:
        """Keep what this node holds of a copy; `replace=False` when it held none (a first
        copy: nothing to delete)."""
        table = federation_copies
        if replace:
            self._conn.execute(delete(table).where(
                table.c.origin_party == values["origin_party"],
                table.c.collection_id == values["collection_id"],
                table.c.stix_id == values["stix_id"]))
        self._conn.execute(insert(table).values(**values))

    def copies_count(self, origin: str) -> int:
        return int(self._conn.execute(select(func.count()).select_from(federation_copies)
                                      .where(federation_copies.c.origin_party == origin))
                   .scalar_one())

    def quarantine(self, peer: str, reason: str, item: bytes, at: datetime) -> None:
        self._conn.execute(insert(federation_quarantine).values(peer=peer, reason=reason[:2000],
                                                                item=item, received_at=at))

    def quarantine_count(self, peer: str) -> int:
        return int(self._conn.execute(select(func.count()).select_from(federation_quarantine)
                                      .where(federation_quarantine.c.peer == peer)).scalar_one())

    def quarantined(self, peer: str | None = None) -> list[dict[str, Any]]:
        query = select(federation_quarantine.c.id, federation_quarantine.c.peer,
                       federation_quarantine.c.received_at, federation_quarantine.c.reason
                       ).order_by(federation_quarantine.c.id)
        if peer is not None:
            query = query.where(federation_quarantine.c.peer == peer)
        return [dict(r._mapping) for r in self._conn.execute(query)]

    def _upsert_ignore(self, table: Any, values: Mapping[str, Any], keys: list[str]) -> None:
        dialect_insert = (postgresql_insert if self._conn.dialect.name == "postgresql"
                          else sqlite_insert)
        self._conn.execute(dialect_insert(table).values(**values)
                           .on_conflict_do_nothing(index_elements=keys))

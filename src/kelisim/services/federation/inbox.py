"""What this node takes in from a peer's node (issue 14 items 3-5, 7): the receiving side.

Each page of the peer's transfers is checked before anything is stored: the entries must chain
from the last one taken (sequence, prev_hash, SHA-256), the page statement this node builds from
them (the chain's head at the last entry, the Merkle tree head over the entries) must be signed
by the key that speaks for the peer's Party on the roster, and each entry must be addressed to
this node's Party; each version's bytes must have the SHA-256 its entry names. One signature
proves the page; each copy keeps its entry, the signed statement and its path in the tree
(`pages.CopyProof`), which prove it alone, wherever it is. A page that fails these is garbage:
it is quarantined whole, the link is reported, and nothing of it is kept. An authentic entry
whose object cannot be stored is quarantined alone and the stream goes on.

A snapshot replaces the copy only if its generation is newer (`replication.apply`): duplicates,
replays and late arrivals change nothing, and re-syncing the same data writes nothing. The
versions become ordinary exchange rows of the origin's Party with the origin's markings, so this
node's readers get them under the same Art. 6 policy; each arrival is appended to the chain
`arrivals:<origin>` and a signed receipt goes back.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson

from kelisim.domain import exchange_policy as policy
from kelisim.domain.errors import FederationError
from kelisim.domain.federation import pages, transfers
from kelisim.domain.federation import replication as repl
from kelisim.domain.federation.roster import RosterEntry
from kelisim.domain.federation.signing import verify
from kelisim.domain.ledger import Head, Link, decode_body, verify_chain
from kelisim.domain.stix.extension import agreement_properties
from kelisim.domain.taxii import micros_of
from kelisim.services.exchange.collections import stored_parties
from kelisim.services.federation.node import Node
from kelisim.services.federation.outbox import page_of
from kelisim.services.runtime import Runtime
from kelisim.storage.exchange_objects import ObjectsRepository
from kelisim.storage.exchange_records import ExchangeRecords
from kelisim.storage.federation_objects import FederationObjects
from kelisim.storage.federation_repository import FederationRepository
from kelisim.storage.unit_of_work import UnitOfWork

_STAMPS = random.SystemRandom()
PAGE = 1000  # transfers a page (the origin serves at most outbox.MAX_PAGE)
RECEIPT_EVERY = 20

Fetch = Callable[[int, int], dict[str, Any]]


def pull_from(rt: Runtime, node: Node, peer: RosterEntry, fetch: Fetch,
              send_receipt: Callable[[dict[str, Any]], None]) -> dict[str, int]:
    """Take in every page the peer has for this node; `fetch(after, limit)` gets one.

    The next page is asked for while this one is stored (the origin builds it meanwhile, on
    its own machine), and it is checked against this page's last entry; if another sync took
    this page first, what was asked ahead is dropped and the pull reads on from where that one
    stopped. A receipt goes back every `RECEIPT_EVERY` pages and after the last: it
    acknowledges every transfer up to the one it names."""
    assert peer.party is not None and node.party is not None
    stored = quarantined = pages = unreceipted = 0
    last: dict[str, Any] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kelisim-feed") as ahead:
        with rt.unit_of_work() as uow:
            link = FederationRepository(uow.connection).peer(peer.party)
        after, prev = int(link["pulled_through"]), str(link["pulled_head"])
        coming: Future[dict[str, Any]] = ahead.submit(fetch, after, PAGE)
        while True:
            page = coming.result()
            items, proofs = _checked_page(node, peer, page, Head(after, prev))
            pending = page.get("pending") is True  # the origin has more to put in the chain
            if not items:
                if pending and int(page["head"]["seq"]) > after:
                    raise FederationError("the feed page is empty before the head it names")
                if pending:
                    coming = ahead.submit(fetch, after, PAGE)
                    continue
                _contact(rt, peer.party, float(int(page["head"]["seq"]) - after))
                break
            more = pending or int(page["head"]["seq"]) > items[-1]["seq"]
            if more:
                coming = ahead.submit(fetch, items[-1]["seq"], PAGE)
            pages += 1
            result = _apply_page(rt, node, peer, page, items, proofs, after)
            if result is None:  # another sync took this page meanwhile
                if more:
                    coming.result()  # dropped: it follows a page this pull did not take
                with rt.unit_of_work() as uow:
                    link = FederationRepository(uow.connection).peer(peer.party)
                after, prev = int(link["pulled_through"]), str(link["pulled_head"])
                coming = ahead.submit(fetch, after, PAGE)
                continue
            stored += result[0]
            quarantined += result[1]
            last, unreceipted = items[-1], unreceipted + 1
            after, prev = int(last["seq"]), str(last["hash"])
            if unreceipted >= RECEIPT_EVERY or not more:
                send_receipt(_receipt(node, peer, last["seq"], last["hash"]))
                unreceipted = 0
            if not more:
                break
    return {"stored": stored, "quarantined": quarantined, "pages": pages}


def _contact(rt: Runtime, party: str, lag: float) -> None:
    with rt.unit_of_work() as uow:
        FederationRepository(uow.connection).update_peer(
            party, last_contact=rt.clock(), last_error=None, last_pull_lag=max(lag, 0.0))
        uow.commit()


def quarantine_page(rt: Runtime, party: str, reason: str, page: Any) -> None:
    with rt.unit_of_work() as uow:
        FederationRepository(uow.connection).quarantine(
            party, reason, orjson.dumps(page, default=str)[:1_000_000], rt.clock())
        uow.commit()


def _checked_page(node: Node, peer: RosterEntry, page: Any, after: Head
                  ) -> tuple[list[dict[str, Any]], list[pages.CopyProof]]:
    """The page's items, each with its proof, if the whole page is authentic, else
    FederationError."""
    if not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise FederationError("the peer's feed page is not a JSON object with items")
    origin = page.get("origin") or {}
    if origin.get("key_id") != peer.key_id or origin.get("party") != peer.party:
        raise FederationError("the feed page names another origin than the peer's roster key")
    if not isinstance(page.get("head"), dict) or not isinstance(page["head"].get("seq"), int):
        raise FederationError("the feed page has no head")
    items = page["items"]
    try:
        links = [Link(int(i["seq"]), str(i["body"]).encode(), str(i["hash"])) for i in items]
    except (KeyError, TypeError, ValueError):
        raise FederationError("a transfer in the feed page is malformed") from None
    if not links:
        return [], []
    problems = verify_chain(links, None, after=after)
    if problems:
        raise FederationError(f"the peer's transfers do not chain from the last one taken: "
                              f"{problems[0]}")
    chain = transfers.transfer_chain(str(node.party))
    statement, signature = page_of(peer.key_id, chain, links), page.get("signature")
    if not isinstance(signature, str) or not verify(peer.public_key, statement, signature):
        raise FederationError(f"transfers {links[0].seq}-{links[-1].seq} are not signed by "
                              f"{peer.party}'s node key")
    for link in links:
        entry = decode_body(link.body).get("entry") or {}
        if entry.get("peer") != node.party:
            raise FederationError(f"transfer {link.seq} is addressed to another Party")
    paths = pages.inclusion_paths([link.hash for link in links])
    return items, [pages.CopyProof(link.body, statement, signature, index, tuple(path))
                   for index, (link, path) in enumerate(zip(links, paths, strict=True))]


def _apply_page(rt: Runtime, node: Node, peer: RosterEntry, page: dict[str, Any],
                items: list[dict[str, Any]], proofs: list[pages.CopyProof], after: int
                ) -> tuple[int, int] | None:
    """Store a checked page; None if another sync (a second process, `sync --once` beside
    `kelisim up`) took it first, so that no arrival is ever recorded twice."""
    origin = str(peer.party)
    stored = quarantined = 0
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        if int(repo.lock_peer(origin)["pulled_through"]) != after:
            return None
        head = repo.lock_chain(transfers.arrival_chain(origin))
        checked: Checked = []
        for item, proof in zip(items, proofs, strict=True):
            entry = decode_body(proof.transfer)["entry"]
            snapshot = repl.Snapshot(entry["collection"], entry["object"], entry["generation"],
                                     tuple((v, s) for v, s in entry["versions"]))
            checked.append((item, entry, snapshot, proof, _content_problem(item, snapshot)
                            or _entitlement_problem(node, origin, entry)))
        outcomes: list[tuple[bool, str | None]] | None
        try:
            with uow.connection.begin_nested():
                outcomes = _take_page(rt, uow, origin, peer, page, checked)
        except Exception:  # something of the page cannot be stored: find it object by object
            outcomes = None
        if outcomes is None:
            outcomes = _take_each(rt, uow, origin, peer, page, checked)
        arrivals = []
        for (item, _, snapshot, proof, _), (kept, problem) in zip(checked, outcomes,
                                                                   strict=True):
            if problem is not None and problem != "stale":
                repo.quarantine(origin, f"transfer {item['seq']}: {problem}",
                                orjson.dumps(item), rt.clock())
                quarantined += 1
            stored += int(kept)
            arrival = transfers.arrival_entry(origin, peer.key_id, snapshot, proof.to_json())
            arrival["taken"] = kept
            arrivals.append((rt.clock(), arrival))
        repo.append_many(transfers.arrival_chain(origin), head, arrivals)
        last = items[-1]
        lag = page["head"]["seq"] - last["seq"]
        repo.update_peer(origin, pulled_through=last["seq"], pulled_head=last["hash"],
                         last_contact=rt.clock(), last_error=None, last_pull_lag=float(lag))
        uow.commit()
    return stored, quarantined


Checked = list[tuple[dict[str, Any], dict[str, Any], repl.Snapshot, pages.CopyProof,
                     str | None]]


def _take_each(rt: Runtime, uow: UnitOfWork, origin: str, peer: RosterEntry,
               page: dict[str, Any], checked: Checked) -> list[tuple[bool, str | None]]:
    """The page object by object, each in its savepoint: one that cannot be stored is
    quarantined alone."""
    ensured: set[str] = set()  # the mirror collections known to exist, asked once a page
    outcomes: list[tuple[bool, str | None]] = []
    for item, entry, snapshot, proof, problem in checked:
        kept = False
        if problem is None:
            try:
                with uow.connection.begin_nested():
                    kept = _take(rt, uow, origin, peer, page, entry, snapshot, item, proof,
                                 ensured)
                if kept:  # committed to the savepoint: its collection exists now
                    ensured.add(snapshot.collection)
            except Exception as error:  # one object that cannot be stored stops nothing
                problem = f"could not be stored: {type(error).__name__}: {error}"[:500]
        outcomes.append((kept, problem))
    return outcomes


def _take_page(rt: Runtime, uow: UnitOfWork, origin: str, peer: RosterEntry,
               page: dict[str, Any], checked: Checked) -> list[tuple[bool, str | None]]:
    """The page in a few statements a collection; the same outcome as `_take_each` when
    nothing fails (raises otherwise, and the caller takes the page object by object).

    Items are decided in sequence order against what is held, as one by one: an id twice in
    a page is taken again only if its generation is greater; what is written is the last
    snapshot taken of each id."""
    repo = FederationRepository(uow.connection)
    store = FederationObjects(uow.connection)
    objects = ObjectsRepository(uow.connection)
    outcomes: list[tuple[bool, str | None]] = [(False, problem) for *_, problem in checked]
    by_collection: dict[str, list[int]] = {}
    for index, (_, _, snapshot, _, problem) in enumerate(checked):
        if problem is None:
            by_collection.setdefault(snapshot.collection, []).append(index)
    for collection_id, indexes in by_collection.items():
        ids = {checked[i][2].stix_id for i in indexes}
        held_rows = repo.copies(origin, collection_id, ids)
        held: dict[str, repl.Copy | None] = {
            i: repl.Copy(r["generation"], tuple((v[0], v[1]) for v in r["versions"]))
            for i, r in held_rows.items()}
        final: dict[str, int] = {}  # id -> index of the last item taken
        for index in indexes:
            snapshot = checked[index][2]
            new = repl.apply(held.get(snapshot.stix_id), snapshot)
            if new is None:
                continue
            held[snapshot.stix_id] = new
            final[snapshot.stix_id] = index
            outcomes[index] = (True, None)
        if not final:
            continue
        _ensure_collection(rt, uow, origin, collection_id,
                           (page.get("collections") or {}).get(collection_id))
        last = objects.lock_collection(collection_id)
        have = store.held_versions_of(collection_id, origin, final)
        gone: list[int] = []
        rows: list[dict[str, Any]] = []
        copies: list[dict[str, Any]] = []
        for stix_id, index in final.items():
            item, entry, snapshot, proof, _ = checked[index]
            stored = have.get(stix_id, {})
            wanted = {version for version, _ in snapshot.versions}
            gone.extend(stamp for version, stamp in stored.items() if version not in wanted)
            rows.extend(_row(collection_id, origin, v, entry["markings"][v["version"]])
                        for v in item["versions"] if v["version"] not in stored)
            copy = held[stix_id]
            assert copy is not None
            copies.append({
                "origin_party": origin, "collection_id": collection_id, "stix_id": stix_id,
                "generation": copy.generation, "versions": [[v, s] for v, s in copy.versions],
                "origin_key": peer.key_id, "signature": _proof_text(proof),
                "received_at": rt.clock()})
        stamps = policy.stamps_by_audience(
            [(r["tlp_gate"], r["restricted_gate"], r["open_access"]) for r in rows],
            max(micros_of(rt.clock()), last + 1), _STAMPS)
        for row, stamp in zip(rows, stamps, strict=True):
            row["date_added"] = stamp
        store.replace_copies(collection_id, origin, final, gone, rows, rt.clock())
        repo.save_copies(origin, collection_id, held_rows.keys() & final.keys(), copies)
    return outcomes


def _content_problem(item: dict[str, Any], snapshot: repl.Snapshot) -> str | None:
    versions = item.get("versions")
    if versions is None:
        return "stale"  # deleted at the origin since; a newer transfer follows
    if not isinstance(versions, list) or len(versions) != len(snapshot.versions):
        return "its versions do not match its snapshot"
    for given, (version, sha256) in zip(versions, snapshot.versions, strict=True):
        raw = str(given.get("raw", "")).encode() if isinstance(given, dict) else b""
        if given.get("version") != version or hashlib.sha256(raw).hexdigest() != sha256:
            return f"version {version}'s bytes are not those its snapshot names"
    return None


def _proof_text(proof: pages.CopyProof) -> str:
    """A copy's proof as its record keeps it (`federation_copies.signature`)."""
    return orjson.dumps(proof.to_json()).decode()


def _entitlement_problem(node: Node, origin: str, entry: dict[str, Any]) -> str | None:
    """A version this node's Party may not receive is refused even from an authentic origin:
    the receiver does not keep what Art. 6 forbids it, whoever erred."""
    for version, marks in (entry.get("markings") or {}).items():
        if not repl.peer_may_receive(str(node.party), _marking(origin, marks)):
            return f"version {version} is marked for others than {node.party} (Art. 6)"
    return None


def _marking(origin: str, marks: dict[str, Any]) -> policy.Marking:
    return policy.Marking(
        tlp=marks.get("tlp"), recipient_parties=frozenset(marks.get("recipient_parties", ())),
        recipient_bodies=frozenset(marks.get("recipient_bodies", ())),
        restricted_owner=marks.get("restricted_owner"),
        restricted_allowed=frozenset(marks.get("restricted_allowed", ())),
        producer_party=origin)


def _take(rt: Runtime, uow: UnitOfWork, origin: str, peer: RosterEntry, page: dict[str, Any],
          entry: dict[str, Any], snapshot: repl.Snapshot, item: dict[str, Any],
          proof: pages.CopyProof, ensured: set[str]) -> bool:
    repo = FederationRepository(uow.connection)
    held_row = repo.copy(origin, snapshot.collection, snapshot.stix_id)
    held = None if held_row is None else repl.Copy(
        held_row["generation"], tuple((v[0], v[1]) for v in held_row["versions"]))
    new = repl.apply(held, snapshot)
    if new is None:
        return False  # a duplicate or an older snapshot: nothing changes
    if snapshot.collection not in ensured:
        _ensure_collection(rt, uow, origin, snapshot.collection,
                           (page.get("collections") or {}).get(snapshot.collection))
    objects = ObjectsRepository(uow.connection)
    last = objects.lock_collection(snapshot.collection)
    store = FederationObjects(uow.connection)
    have = store.held_versions(snapshot.collection, origin, snapshot.stix_id)
    wanted = {version for version, _ in snapshot.versions}
    fresh = [v for v in item["versions"] if v["version"] not in have]
    rows = [_row(snapshot.collection, origin, v, entry["markings"][v["version"]])
            for v in fresh]
    stamps = policy.stamps_by_audience(
        [(r["tlp_gate"], r["restricted_gate"], r["open_access"]) for r in rows],
        max(micros_of(rt.clock()), last + 1), _STAMPS)
    for row, stamp in zip(rows, stamps, strict=True):
        row["date_added"] = stamp
    store.replace_copy(snapshot.collection, origin, snapshot.stix_id, have & wanted, rows,
                       rt.clock())
    repo.save_copy(origin_party=origin, collection_id=snapshot.collection,
                   stix_id=snapshot.stix_id, generation=new.generation,
                   versions=[[v, s] for v, s in new.versions],
                   origin_key=peer.key_id, signature=_proof_text(proof),
                   received_at=rt.clock(), replace=held_row is not None)
    return True


def _row(collection_id: str, origin: str, given: dict[str, Any],
         marks: dict[str, Any]) -> dict[str, Any]:
    raw = given["raw"].encode()
    obj = orjson.loads(raw)
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        raise ValueError("the object is not a STIX object")
    marking = _marking(origin, marks)
    gates = policy.gates(marking)
    agreement = agreement_properties(obj)
    directions = agreement.directions if agreement else ()
    return {"collection_id": collection_id, "date_added": None, "stix_id": obj["id"],
            "type": obj["type"], "spec_version": obj.get("spec_version", "2.1"),
            "version": given["version"], "producer_party": origin, "producer_account": None,
            "tlp": marking.tlp, "restricted_owner": marking.restricted_owner,
            "tlp_gate": gates.tlp, "restricted_gate": gates.restricted,
            "open_access": gates.open,
            "threat_class": agreement.threat_class if agreement else None,
            "directions": ("|" + "|".join(str(d) for d in directions) + "|") if directions
            else None, "raw": raw, "superseded": False}


def _ensure_collection(rt: Runtime, uow: UnitOfWork, origin: str, collection_id: str,
                       meta: dict[str, Any] | None) -> None:
    records = ExchangeRecords(uow.connection)
    if records.collection(collection_id) is not None:
        return
    meta = meta or {}
    reads = meta.get("read_parties")
    records.add_collection(
        id=collection_id, title=f"{origin}: {str(meta.get('title') or collection_id)[:280]}",
        description=meta.get("description"), alias=None, owner_party=origin,
        read_parties=stored_parties(None if reads is None else list(reads)),
        write_parties=stored_parties([]), created_at=rt.clock(), created_by=None)


def _receipt(node: Node, peer: RosterEntry, through: int, head: str) -> dict[str, Any]:
    statement = transfers.receipt_statement(peer.key_id, node.key.key_id, str(node.party),
                                            through, head)
    return {"receipt": statement, "signature": node.key.sign(statement)}


"""This node's identity and the roster of nodes (issue 14 item 1).

A node is made by `init_node`: a key (a file of the data folder, mode 0600), a self-signed
descriptor, and the trust anchor (the depositary node's public key). The depositary's node
starts the roster with itself; a Party's node joins when its Party's party-admin asks
(`request_admission`, at the depositary's node) and the depositary admits it
(`decide_admission`), which signs the next roster. Every node keeps the newest roster that the
anchor signed (`accept_roster`): a replayed older one never wins.

Keys rotate. A Party's node makes a new key (`prepare_rotation`, `kelisim node rotate-key`):
the request, signed by the old key and the new, is asked for by its Party's party-admin and
admitted by the depositary like an admission; the node signs with its old key until the roster
it takes names the new one for today, then switches by itself (`settle_rotation`), keeping the
old key file renamed. The depositary's node rotates the anchor (`rotate_anchor`): a transition
roster signed by the old anchor and the new, which every node takes (`accept_roster`) and
after which it trusts the new anchor only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import FederationError, InvalidInput, NotFound, UntrustedSignature
from kelisim.domain.federation import checkpoints as cps
from kelisim.domain.federation import roster as rosters
from kelisim.domain.federation.signing import NodeKey, key_id
from kelisim.services.runtime import Runtime
from kelisim.storage.federation_repository import FederationRepository
from kelisim.storage.node_keys import (
    create_key_file,
    key_path,
    load_key_file,
    pending_key_path,
    switch_key_files,
)

CACHE_KEY = "federation.node"
ROSTER_KEY = "federation.roster"
ANCHORS_KEY = "federation.anchors"


@dataclass(frozen=True)
class Node:
    """Who this node is: its Party (None: the depositary's), URL, key and trust anchor."""

    party: str | None
    url: str
    key: NodeKey
    depositary_key: str
    depositary_url: str
    descriptor: dict[str, Any]

    @property
    def is_depositary(self) -> bool:
        return self.party is None


def init_node(rt: Runtime, *, party: str | None, url: str, depositary_url: str | None = None,
              depositary_key: str | None = None) -> dict[str, Any]:
    """Make this node (once). A Party's node names the depositary's node and its key; the
    depositary's node is its own anchor and starts the roster."""
    url = _checked_url(url, "--url")
    if party is not None and (not depositary_url or not depositary_key):
        raise InvalidInput("a Party's node needs the depositary node's URL and public key "
                           "(--depositary-url, --depositary-key): its roster and ledger are "
                           "trusted only under that key (issue 14 item 1)")
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        known = repo.node()
        if known is not None:
            raise InvalidInput(f"this node is already initialized (Party "
                               f"{known['party'] or 'depositary'}, {known['url']}); "
                               "`kelisim node show` prints it")
        path = key_path(rt.settings.data_dir, rt.settings.node_key_file)
        key = load_key_file(path) if path.exists() else create_key_file(path)
        today = rt.clock().date()
        signed = rosters.sign_descriptor(
            rosters.NodeDescriptor(party, url, key.public_key, today), key)
        descriptor = rosters.descriptor_to_json(signed)
        anchor = key.public_key if party is None else str(depositary_key)
        anchor_url = url if party is None else _checked_url(str(depositary_url),
                                                            "--depositary-url")
        repo.save_node(party=party, url=url, public_key=key.public_key, valid_from=today,
                       descriptor=descriptor, depositary_key=anchor,
                       depositary_url=anchor_url, created_at=rt.clock())
        if party is None:
            first = rosters.sign_roster(
                rosters.empty_roster(key.public_key, url, today, rt.clock()), key)
            repo.add_roster(first.roster.serial, rosters.roster_to_json(first), rt.clock())
        uow.commit()
    rt.caches.pop(CACHE_KEY, None)
    return {"party": party, "url": url, "key_id": key.key_id, "descriptor": descriptor,
            "key_file": str(path)}


def load_node(rt: Runtime) -> Node | None:
    """This node, or None while it is a stand-alone server (no `kelisim node init`).

    The node's record is read each time (one row), so that a key rotated by another process
    (`kelisim node rotate-key` beside `kelisim up`) is used at once; the key file is read again
    only when the record names another key."""
    cached = rt.caches.get(CACHE_KEY)
    if cached is False:
        return None
    with rt.unit_of_work() as uow:
        row = FederationRepository(uow.connection).node()
    if row is None:
        rt.caches[CACHE_KEY] = False  # a stand-alone server; `init_node` clears this
        return None
    if (isinstance(cached, Node) and cached.key.public_key == row["public_key"]
            and cached.depositary_key == row["depositary_key"] and cached.url == row["url"]):
        return cached
    path = key_path(rt.settings.data_dir, rt.settings.node_key_file)
    key = load_key_file(path)
    if key.public_key != row["public_key"]:  # a rotation recorded, its files not yet moved
        key = switch_key_files(path, row["public_key"])
    node = Node(row["party"], row["url"], key, row["depositary_key"], row["depositary_url"],
                dict(row["descriptor"]))
    rt.caches[CACHE_KEY] = node
    return node


def require_node(rt: Runtime) -> Node:
    node = load_node(rt)
    if node is None:
        raise NotFound("this server is not a federation node; run `kelisim node init` first "
                       "(issue 14)")
    return node


def current_roster(rt: Runtime) -> rosters.Roster | None:
    """The newest roster this node holds, verified again under its anchor."""
    node = load_node(rt)
    if node is None:
        return None
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        serial = repo.latest_roster_serial()
        cached = rt.caches.get(ROSTER_KEY)
        if serial is None or (isinstance(cached, rosters.Roster) and cached.serial == serial):
            return cached if serial is not None else None
        stored = repo.latest_roster()
    if stored is None:
        return None
    roster = rosters.verify_roster(rosters.roster_from_json(stored), node.depositary_key)
    rt.caches[ROSTER_KEY] = roster  # verified once per serial, not once per request
    return roster


def signed_roster_json(rt: Runtime) -> dict[str, Any] | None:
    with rt.unit_of_work() as uow:
        return FederationRepository(uow.connection).latest_roster()


def accept_roster(rt: Runtime, document: Any) -> bool:
    """Keep `document` if the anchor signed it (or it is a transition from the anchor, signed
    by it and the new anchor, which this node then trusts instead) and it is newer than the
    roster held; then switch to this node's pending key if the roster names it for today."""
    node = require_node(rt)
    signed = rosters.roster_from_json(document)
    candidate = rosters.verify_roster_from(signed, node.depositary_key)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        held = repo.latest_roster()
        current = None if held is None else rosters.roster_from_json(held).roster
        if not rosters.newer(current, candidate):
            if candidate.depositary_key != node.depositary_key:
                raise UntrustedSignature(
                    f"transition roster {candidate.serial} is not newer than roster "
                    f"{current.serial if current else 0} held: serials never go back "
                    "(issue 14, item 1)")
            return False
        repo.add_roster(candidate.serial, rosters.roster_to_json(signed), rt.clock())
        if candidate.depositary_key != node.depositary_key:
            repo.update_node(depositary_key=candidate.depositary_key)
        uow.commit()
    _forget(rt)
    settle_rotation(rt)
    return True


def transition_rosters(rt: Runtime) -> list[dict[str, Any]]:
    """Every transition roster this node holds, oldest first: what a node that holds an older
    anchor needs to reach the current one, one transition after another."""
    with rt.unit_of_work() as uow:
        held = FederationRepository(uow.connection).rosters()
    return [d for d in held if rosters.roster_from_json(d).roster.previous_key is not None]


def anchor_spans(rt: Runtime) -> dict[str, rosters.AnchorSpan]:
    """Each anchor key this node ever trusted and until when it spoke (`roster.anchor_spans`)."""
    node = require_node(rt)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        serial = repo.latest_roster_serial()
        cached = rt.caches.get(ANCHORS_KEY)
        if isinstance(cached, tuple) and cached[0] == (serial, node.depositary_key):
            return dict(cached[1])
        held = [rosters.roster_from_json(d).roster for d in repo.rosters()]
    spans = rosters.anchor_spans(held)
    spans.setdefault(key_id(node.depositary_key),
                     rosters.AnchorSpan(node.depositary_key, None))
    rt.caches[ANCHORS_KEY] = ((serial, node.depositary_key), spans)
    return dict(spans)


def anchor_key_of(rt: Runtime, checkpoint: Any) -> str:
    """The anchor key that verifies a signed checkpoint (JSON): the one its origin names, if this
    node trusted it when the checkpoint was issued (UntrustedSignature otherwise)."""
    signed = cps.checkpoint_from_json(checkpoint)
    return rosters.anchor_for(anchor_spans(rt), str(signed.origin), signed.checkpoint.issued_at)


def prepare_rotation(rt: Runtime, valid_from: date | None = None) -> dict[str, Any]:
    """A Party's node: a new key (`node.key.next`, mode 0600; the pending one again if a
    rotation was prepared before) and the rotation request to send to the depositary's node,
    signed by the current key and the new one. The new key speaks from `valid_from` (default
    tomorrow, so every node holds the roster before the switch)."""
    node = require_node(rt)
    if node.is_depositary:
        raise InvalidInput("the depositary's node rotates the trust anchor "
                           "(`kelisim node rotate-key` there signs a transition roster)")
    today = rt.clock().date()
    valid_from = valid_from or today + timedelta(days=1)
    if valid_from < today:
        raise InvalidInput(f"a new key cannot speak from a past day ({valid_from}) (issue 14)")
    path = key_path(rt.settings.data_dir, rt.settings.node_key_file)
    pending = pending_key_path(path)
    new = load_key_file(pending) if pending.exists() else create_key_file(pending)
    if new.public_key == node.key.public_key:
        raise FederationError(f"{pending} holds the current key; move it away")
    signed = rosters.sign_descriptor(
        rosters.NodeDescriptor(node.party, node.url, new.public_key, valid_from), new)
    return {"party": node.party, "key_id": new.key_id, "previous_key_id": node.key.key_id,
            "valid_from": valid_from.isoformat(), "key_file": str(pending),
            "request": rosters.sign_rotation(signed, node.key)}


def pending_key_id(rt: Runtime) -> str | None:
    """The id of the new key this node waits to switch to (a rotation asked), or None."""
    pending = pending_key_path(key_path(rt.settings.data_dir, rt.settings.node_key_file))
    return load_key_file(pending).key_id if pending.exists() else None


def settle_rotation(rt: Runtime) -> bool:
    """Switch to the pending key once the roster this node holds names it for its Party today:
    the node's record first, then the files (the old key kept as `node.key.<id>.retired`).
    True if it switched."""
    node = load_node(rt)
    if node is None or node.is_depositary:
        return False
    path = key_path(rt.settings.data_dir, rt.settings.node_key_file)
    pending = pending_key_path(path)
    if not pending.exists():
        return False
    roster = current_roster(rt)
    new = load_key_file(pending)
    entry = None if roster is None else rosters.node_of(roster, node.party, rt.clock().date())
    if entry is None or entry.public_key != new.public_key:
        return False
    descriptor = rosters.descriptor_to_json(rosters.sign_descriptor(
        rosters.NodeDescriptor(node.party, node.url, new.public_key, entry.valid_from), new))
    with rt.unit_of_work() as uow:
        FederationRepository(uow.connection).update_node(
            public_key=new.public_key, valid_from=entry.valid_from, descriptor=descriptor)
        uow.commit()
    switch_key_files(path, new.public_key)
    _forget(rt)
    return True


def rotate_anchor(rt: Runtime, principal: Principal) -> dict[str, Any]:
    """The depositary's node: a new anchor key from today, on a transition roster signed by the
    old anchor and the new; this node signs with the new key at once (the old one kept)."""
    require(principal, Action.ADMIT_NODE)
    node = require_node(rt)
    if not node.is_depositary:
        raise InvalidInput("only the depositary's node rotates the trust anchor (issue 14)")
    today = rt.clock().date()
    path = key_path(rt.settings.data_dir, rt.settings.node_key_file)
    pending = pending_key_path(path)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        held, row = repo.latest_roster(), repo.node()
        if held is None or row is None:
            raise FederationError("the depositary's node holds no roster")
        current = rosters.verify_roster(rosters.roster_from_json(held), node.depositary_key)
        new = load_key_file(pending) if pending.exists() else create_key_file(pending)
        roster = rosters.rotate_anchor(current, new.public_key, node.url, today,
                                       issued_at=max(rt.clock(), current.issued_at))
        signed = rosters.sign_transition(roster, new, node.key)
        descriptor = rosters.descriptor_to_json(rosters.sign_descriptor(
            rosters.NodeDescriptor(None, node.url, new.public_key, today), new))
        repo.add_roster(roster.serial, rosters.roster_to_json(signed), rt.clock())
        repo.update_node(public_key=new.public_key, valid_from=today, descriptor=descriptor,
                         depositary_key=new.public_key)
        uow.commit()
    switch_key_files(path, new.public_key)
    _forget(rt)
    return {"key_id": new.key_id, "previous_key_id": node.key.key_id,
            "roster_serial": roster.serial, "valid_from": today.isoformat()}


def _forget(rt: Runtime) -> None:
    for cached in (CACHE_KEY, ROSTER_KEY, ANCHORS_KEY):
        rt.caches.pop(cached, None)


def request_admission(rt: Runtime, principal: Principal, document: Any) -> dict[str, Any]:
    """A party-admin asks, at the depositary's node, that its Party's node be admitted."""
    node = require_node(rt)
    if not node.is_depositary:
        raise InvalidInput("admission is asked at the depositary's node, which signs the "
                           "roster (issue 14 item 1)")
    descriptor = rosters.verify_descriptor(rosters.descriptor_from_json(document))
    if descriptor.party is None:
        raise InvalidInput("the depositary's node is on the roster from the start")
    require(principal, Action.REQUEST_NODE_ADMISSION, party=descriptor.party)
    stored = rosters.descriptor_to_json(rosters.descriptor_from_json(document))
    rotation = rosters.rotation_of(document)
    answer: dict[str, Any] = {"key_id": descriptor.key_id, "party": descriptor.party,
                              "url": descriptor.url, "status": "requested"}
    if rotation is not None:  # a rotation: the key it replaces must speak for the Party today
        roster = current_roster(rt)
        if roster is None:
            raise FederationError("the depositary's node holds no roster")
        _, previous = rosters.verify_rotation(document, roster, rt.clock().date())
        stored["rotation"] = {"previous_key": rotation[0], "signature": rotation[1]}
        answer["rotates"] = previous.key_id
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        if repo.admission(descriptor.key_id) is not None:
            raise InvalidInput(f"key {descriptor.key_id} was already asked for; "
                               "`kelisim node admissions` lists the requests")
        repo.add_admission(key_id=descriptor.key_id, party=descriptor.party, descriptor=stored,
                           requested_by=principal.account_id, requested_at=rt.clock())
        uow.commit()
    return answer


def list_admissions(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    require(principal, Action.ADMIT_NODE)
    with rt.unit_of_work() as uow:
        rows = FederationRepository(uow.connection).admissions()
    return [{"key_id": r["key_id"], "party": r["party"],
             "url": rosters.descriptor_from_json(r["descriptor"]).descriptor.url,
             "rotates": _rotated_key_id(r["descriptor"]),
             "requested_at": r["requested_at"].isoformat(), "decision": r["decision"]}
            for r in rows]


def _rotated_key_id(document: Any) -> str | None:
    rotation = rosters.rotation_of(document)
    return None if rotation is None else key_id(rotation[0])


def decide_admission(rt: Runtime, principal: Principal, key_id: str, *,
                     admit: bool) -> dict[str, Any]:
    """The depositary admits (signing the next roster) or refuses an asked-for node."""
    require(principal, Action.ADMIT_NODE)
    node = require_node(rt)
    if not node.is_depositary:
        raise InvalidInput("only the depositary's node signs the roster (issue 14 item 1)")
    today = rt.clock().date()
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        asked = repo.admission(key_id)
        if asked is None:
            raise NotFound(f"no admission was asked for key {key_id}; the Party's party-admin "
                           "asks first (`kelisim node request-admission`)")
        if asked["decision"] is not None:
            raise InvalidInput(f"key {key_id} was already {asked['decision']}")
        serial = None
        if admit:
            descriptor = rosters.verify_descriptor(
                rosters.descriptor_from_json(asked["descriptor"]))
            held = repo.latest_roster()
            if held is None:
                raise FederationError("the depositary's node holds no roster")
            current = rosters.verify_roster(rosters.roster_from_json(held), node.depositary_key)
            if rosters.rotation_of(asked["descriptor"]) is not None:
                # the key that vouched for its successor must still speak (not revoked since)
                rosters.verify_rotation(asked["descriptor"], current, today)
            entry = replace(descriptor, valid_from=max(descriptor.valid_from, today))
            signed = rosters.sign_roster(rosters.admit(
                current, entry, today, issued_at=rt.clock(),
                lifetime_days=rt.settings.federation_key_lifetime_days), node.key)
            repo.add_roster(signed.roster.serial, rosters.roster_to_json(signed), rt.clock())
            serial = signed.roster.serial
        repo.decide_admission(key_id, decision="admitted" if admit else "refused",
                              decided_by=principal.account_id, decided_at=rt.clock())
        uow.commit()
    return {"key_id": key_id, "party": asked["party"],
            "decision": "admitted" if admit else "refused", "roster_serial": serial}


def revoke_node(rt: Runtime, principal: Principal, key_id: str, on: date) -> dict[str, Any]:
    require(principal, Action.ADMIT_NODE)
    node = require_node(rt)
    if not node.is_depositary:
        raise InvalidInput("only the depositary's node signs the roster (issue 14 item 1)")
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        held = repo.latest_roster()
        if held is None:
            raise FederationError("the depositary's node holds no roster")
        current = rosters.verify_roster(rosters.roster_from_json(held), node.depositary_key)
        signed = rosters.sign_roster(rosters.revoke(current, key_id, on, issued_at=rt.clock()),
                                     node.key)
        repo.add_roster(signed.roster.serial, rosters.roster_to_json(signed), rt.clock())
        uow.commit()
    return {"key_id": key_id, "revoked_on": on.isoformat(), "roster_serial": signed.roster.serial}


def _checked_url(url: str, option: str) -> str:
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise InvalidInput(f"{option} must be an http:// or https:// URL, e.g. "
                           "https://kelisim.example.kz")
    return url.rstrip("/")


"""This node's identity and the roster of nodes (issue 14 item 1).

A node is made by `init_node`: a key (a file of the data folder, mode 0600), a self-signed
descriptor, and the trust anchor (the depositary node's public key). The depositary's node
starts the roster with itself; a Party's node joins when its Party's party-admin asks
(`request_admission`, at the depositary's node) and the depositary admits it
(`decide_admission`), which signs the next roster. Every node keeps the newest roster that the
anchor signed (`accept_roster`): a replayed older one never wins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import FederationError, InvalidInput, NotFound
from kelisim.domain.federation import roster as rosters
from kelisim.domain.federation.signing import NodeKey
from kelisim.services.runtime import Runtime
from kelisim.storage.federation_repository import FederationRepository
from kelisim.storage.node_keys import create_key_file, key_path, load_key_file

CACHE_KEY = "federation.node"
ROSTER_KEY = "federation.roster"


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
    """This node, or None while it is a stand-alone server (no `kelisim node init`)."""
    cached = rt.caches.get(CACHE_KEY)
    if cached is not None:
        return cached if isinstance(cached, Node) else None
    with rt.unit_of_work() as uow:
        row = FederationRepository(uow.connection).node()
    if row is None:
        rt.caches[CACHE_KEY] = False  # a stand-alone server; `init_node` clears this
        return None
    key = load_key_file(key_path(rt.settings.data_dir, rt.settings.node_key_file))
    if key.public_key != row["public_key"]:
        raise FederationError("the node key file does not hold the key this node was made "
                              "with; restore the right file (KELISIM_NODE_KEY_FILE)")
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
    """Keep `document` if the anchor signed it and it is newer than the roster held."""
    node = require_node(rt)
    signed = rosters.roster_from_json(document)
    candidate = rosters.verify_roster(signed, node.depositary_key)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        held = repo.latest_roster()
        current = None if held is None else rosters.roster_from_json(held).roster
        if not rosters.newer(current, candidate):
            return False
        repo.add_roster(candidate.serial, rosters.roster_to_json(signed), rt.clock())
        uow.commit()
    return True


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
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        if repo.admission(descriptor.key_id) is not None:
            raise InvalidInput(f"key {descriptor.key_id} was already asked for; "
                               "`kelisim node admissions` lists the requests")
        repo.add_admission(key_id=descriptor.key_id, party=descriptor.party,
                           descriptor=rosters.descriptor_to_json(
                               rosters.descriptor_from_json(document)),
                           requested_by=principal.account_id, requested_at=rt.clock())
        uow.commit()
    return {"key_id": descriptor.key_id, "party": descriptor.party, "url": descriptor.url,
            "status": "requested"}


def list_admissions(rt: Runtime, principal: Principal) -> list[dict[str, Any]]:
    require(principal, Action.ADMIT_NODE)
    with rt.unit_of_work() as uow:
        rows = FederationRepository(uow.connection).admissions()
    return [{"key_id": r["key_id"], "party": r["party"],
             "url": rosters.descriptor_from_json(r["descriptor"]).descriptor.url,
             "requested_at": r["requested_at"].isoformat(), "decision": r["decision"]}
            for r in rows]


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
            entry = replace(descriptor, valid_from=max(descriptor.valid_from, today))
            signed = rosters.sign_roster(rosters.admit(current, entry, today,
                                                       issued_at=rt.clock()), node.key)
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


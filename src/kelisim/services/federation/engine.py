"""One federation sync of this node with the others (issue 14 items 2-6, 8).

`sync_once` runs the steps in the order their trust depends on: the roster from the depositary's
node (which keys speak for which Party), the depositary's ledger (so that each Party's state on
the day is known here), the checkpoints peers verified (split views), then each bound peer's
transfers for this node. A peer that fails is reported and skipped; the others go on. `kelisim
sync --once` calls it; `kelisim up` runs it in a background thread every `sync_interval`
seconds, and at once when a peer notifies it of new data (`wake`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import httpx

from kelisim.domain.errors import FederationError, KelisimError
from kelisim.domain.federation import roster as rosters
from kelisim.domain.federation.replication import may_exchange_with
from kelisim.domain.federation.roster import RosterEntry, node_of
from kelisim.services import participation
from kelisim.services.federation import inbox, ledger_sync
from kelisim.services.federation import node as nodes
from kelisim.services.federation.node import Node
from kelisim.services.runtime import CHANGED_KEY, Runtime
from kelisim.storage.federation_repository import FederationRepository
from kelisim.web.federation_signatures import NodeSignatureAuth

log = logging.getLogger("kelisim.federation")
WAKE_KEY = "federation.wake"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class PeerClient:
    """Signed HTTP requests to one node (RFC 9421 with this node's key)."""

    def __init__(self, rt: Runtime, node: Node, base_url: str,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=TIMEOUT,
                                    auth=NodeSignatureAuth(node.key, rt.clock),
                                    transport=transport)

    def get(self, path: str, **params: Any) -> Any:
        return self._answer(self._client.get(path, params=params))

    def post(self, path: str, document: Any) -> Any:
        return self._answer(self._client.post(path, json=document))

    def close(self) -> None:
        self._client.close()

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            detail = response.text[:300]
            raise FederationError(f"{response.request.method} {response.request.url.path} "
                                  f"answered {response.status_code}: {detail}")
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise FederationError(f"{response.request.url.path} did not answer JSON") from None


def sync_once(rt: Runtime, client_for: Callable[[str], PeerClient] | None = None
              ) -> dict[str, Any]:
    """One sync; returns what happened, per step and per peer."""
    nodes.settle_rotation(rt)  # a pending key whose first day has come
    node = nodes.require_node(rt)
    report: dict[str, Any] = {"party": node.party, "peers": {}}
    if node.is_depositary:
        return report  # the depositary's node writes the ledger and roster; it pulls nothing

    def open_client(url: str) -> PeerClient:  # signed with this node's key of the moment
        return client_for(url) if client_for else PeerClient(rt, nodes.require_node(rt), url)

    depositary = open_client(node.depositary_url)
    try:
        report["roster"] = _take_roster(rt, node, depositary)
        if nodes.require_node(rt).key != node.key:  # the roster named this node's new key
            node = nodes.require_node(rt)
            depositary.close()
            depositary = open_client(node.depositary_url)
        result = ledger_sync.replicate_ledger(
            rt, lambda after: depositary.get("/federation/v1/ledger", after=after))
        depositary.post("/federation/v1/cosignatures", result["cosignature"])
        report["ledger"] = {"appended": result["appended"], "size": result["size"]}
    except (KelisimError, httpx.HTTPError) as error:
        report["ledger"] = {"error": str(error)}
        log.warning("federation: the depositary's node: %s", error)
    finally:
        depositary.close()
    node = nodes.require_node(rt)
    roster = nodes.current_roster(rt)
    if roster is None:
        report["error"] = "no roster yet: this node is not admitted"
        return report
    today = rt.clock().date()
    states = participation.party_states_on(rt, today)
    for entry in roster.entries:
        if entry.party is None or entry.party == node.party or not entry.speaks_on(today):
            continue
        if node_of(roster, entry.party, today) is not entry:
            continue
        if not may_exchange_with(states.get(entry.party)):
            report["peers"][entry.party] = {"skipped": f"{entry.party} is not bound today "
                                                       "(Art. 13, 15)"}
            continue
        report["peers"][entry.party] = _sync_peer(rt, node, entry, open_client(entry.url))
    return report


def _take_roster(rt: Runtime, node: Node, depositary: PeerClient) -> bool:
    """The depositary's newest roster; if it names another anchor than this node's, the
    transitions the depositary holds are taken first, oldest first (each must be from the
    anchor the one before it left: a skipped transition is refused)."""
    latest = depositary.get("/federation/v1/roster")
    named = rosters.roster_from_json(latest).roster.depositary_key
    taken = False
    if named != node.depositary_key:
        transitions = depositary.get("/federation/v1/roster/transitions")
        if not isinstance(transitions, list):
            raise FederationError("the depositary's transitions are not a JSON list")
        for document in transitions:
            held = nodes.require_node(rt).depositary_key
            if rosters.roster_from_json(document).roster.previous_key == held:
                taken = nodes.accept_roster(rt, document) or taken
    return nodes.accept_roster(rt, latest) or taken


def _sync_peer(rt: Runtime, node: Node, peer: RosterEntry, client: PeerClient
               ) -> dict[str, Any]:
    party = str(peer.party)

    def send_receipt(receipt: dict[str, Any]) -> None:
        """A receipt the origin does not take is reported, not fatal: what was taken stays
        taken, and the next receipt (through a later entry) acknowledges it too."""
        try:
            client.post("/federation/v1/receipts", receipt)
        except (KelisimError, httpx.HTTPError) as error:
            _failed(rt, party, f"the receipt was not accepted: {error}")

    try:
        witnessed = ledger_sync.compare_view(rt, peer.key_id,
                                             client.get("/federation/v1/checkpoint"))
        result: dict[str, Any] = inbox.pull_from(
            rt, node, peer, lambda after, limit: client.get("/federation/v1/feed", after=after,
                                                           limit=limit),
            send_receipt)
        result["split_views_found"] = witnessed
        return result
    except FederationError as error:
        _failed(rt, party, str(error))
        inbox.quarantine_page(rt, party, str(error), {"error": str(error)})
        return {"error": str(error)}
    except (KelisimError, httpx.HTTPError) as error:
        _failed(rt, party, str(error))
        return {"error": str(error)}
    finally:
        client.close()


def _failed(rt: Runtime, party: str, reason: str) -> None:
    log.warning("federation: %s: %s", party, reason)
    with rt.unit_of_work() as uow:
        FederationRepository(uow.connection).update_peer(party, last_error=reason[:2000])
        uow.commit()


def wake(rt: Runtime) -> None:
    """Ask the background sync to run now (a peer said it has something new); in a worker of
    several, the supervisor's (services/process_hints.py)."""
    rt.hint(WAKE_KEY)


def start_background_sync(rt: Runtime) -> threading.Event | None:
    """Run `sync_once` every `sync_interval` seconds in a daemon thread (None if this server is
    not a node); returns the event that stops it."""
    if nodes.load_node(rt) is None:
        return None
    stop, woken, changed = threading.Event(), threading.Event(), threading.Event()
    rt.caches[WAKE_KEY] = woken
    rt.caches[CHANGED_KEY] = changed

    def loop() -> None:
        while not stop.is_set():
            try:
                sync_once(rt)
            except Exception:  # the loop must outlive any one failed sync
                log.exception("federation: sync failed")
            woken.wait(rt.settings.sync_interval)
            woken.clear()

    def notifier() -> None:
        while not stop.is_set():
            changed.wait()
            changed.clear()
            try:
                notify_peers(rt)
            except Exception:
                log.exception("federation: notifying the peers failed")

    threading.Thread(target=loop, name="kelisim-federation-sync", daemon=True).start()
    threading.Thread(target=notifier, name="kelisim-federation-notify", daemon=True).start()
    return stop


def notify_peers(rt: Runtime) -> int:
    """Tell each bound peer's node that this node has new transfers (a hint: the peer pulls,
    and would anyway at its next interval). Returns how many answered."""
    node = nodes.load_node(rt)
    roster = nodes.current_roster(rt)
    if node is None or roster is None or node.is_depositary:
        return 0
    today = rt.clock().date()
    states = participation.party_states_on(rt, today)
    answered = 0
    for entry in roster.entries:
        if (entry.party in (None, node.party) or node_of(roster, entry.party, today) is not entry
                or not may_exchange_with(states.get(entry.party))):
            continue
        client = PeerClient(rt, node, entry.url)
        try:
            client.post("/federation/v1/notify", {})
            answered += 1
        except (KelisimError, httpx.HTTPError) as error:
            log.info("federation: notifying %s: %s", entry.party, error)
        finally:
            client.close()
    return answered

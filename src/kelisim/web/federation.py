"""HTTP of the federation (issue 14): the node-to-node routes under `/federation/v1` and the
routes for people under `/api/v1/federation`.

Node-to-node requests are signed with the node keys (RFC 9421, `web/federation_signatures.py`);
the signer must speak for a Party on today's roster, and for the exchange routes (feed,
receipts, notify) that Party must be bound by the Agreement today (Art. 13, 15): a withdrawn
Party's node is cut off on its effective date with no one doing anything. The descriptor and
the roster are public: they are signed, and a node that is not yet admitted needs them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from kelisim.domain.errors import NodeNotAuthenticated, NotFound, PermissionDenied
from kelisim.domain.federation.replication import may_exchange_with
from kelisim.domain.federation.roster import RosterEntry, key_resolver, speaker
from kelisim.services import participation
from kelisim.services.federation import engine, ledger_sync, outbox, record
from kelisim.services.federation import node as nodes
from kelisim.web.dependencies import PrincipalDep, RuntimeDep
from kelisim.web.federation_signatures import verify_request

router = APIRouter(prefix="/federation/v1", tags=["federation (node to node)"])
people = APIRouter(prefix="/api/v1/federation", tags=["federation"])


async def signed_node(request: Request, rt: RuntimeDep) -> RosterEntry:
    """The roster entry of the node that signed this request (401 otherwise)."""
    body = await request.body()

    def check() -> RosterEntry:
        roster, today = nodes.current_roster(rt), rt.clock().date()
        if roster is None:
            raise NodeNotAuthenticated("this node holds no roster yet, so it knows no node key")
        key = verify_request(request.method, str(request.url), dict(request.headers), body,
                             key_resolver(roster, today), rt.clock())
        entry = speaker(roster, key, today)
        if entry is None:
            raise NodeNotAuthenticated("the signing key does not speak for any Party today")
        return entry

    return await run_in_threadpool(check)


NodeDep = Annotated[RosterEntry, Depends(signed_node)]


def bound_peer(rt: RuntimeDep, caller: NodeDep) -> RosterEntry:
    """A Party's node whose Party the Agreement binds today (Art. 13, 15)."""
    if caller.party is None:
        raise PermissionDenied("the depositary's node takes no part in the exchange of "
                               "objects (it is not an authorized body, Art. 2)")
    state = participation.party_states_on(rt, rt.clock().date()).get(caller.party)
    if not may_exchange_with(state):
        raise PermissionDenied(f"the Agreement does not bind {caller.party} today "
                               f"({state}); its node is neither served nor heard "
                               "(Art. 13, 15)", article="Art. 15")
    return caller


PeerDep = Annotated[RosterEntry, Depends(bound_peer)]


@router.get("/descriptor", summary="This node's self-signed descriptor (public)")
def get_descriptor(rt: RuntimeDep) -> dict[str, Any]:
    return nodes.require_node(rt).descriptor


@router.get("/roster", summary="The newest roster of nodes, signed by the depositary (public)")
def get_roster(rt: RuntimeDep) -> dict[str, Any]:
    nodes.require_node(rt)
    signed = nodes.signed_roster_json(rt)
    if signed is None:
        raise NotFound("this node holds no roster yet")
    return signed


@router.get("/roster/transitions", summary="Every transition of the trust anchor, oldest first, "
                                          "each signed by the old anchor and the new (public)")
def get_roster_transitions(rt: RuntimeDep) -> list[dict[str, Any]]:
    nodes.require_node(rt)
    return nodes.transition_rosters(rt)


@router.get("/ledger", summary="The depositary's ledger after an entry, with a signed checkpoint")
def get_ledger(rt: RuntimeDep, caller: NodeDep,
               after: Annotated[int, Query(ge=0, le=2**62)] = 0,
               limit: Annotated[int, Query(ge=1, le=ledger_sync.MAX_PAGE)] = 1000
               ) -> dict[str, Any]:
    return ledger_sync.ledger_page(rt, after, limit)


@router.post("/cosignatures", summary="A witness's cosignature of a checkpoint", status_code=204)
def post_cosignature(rt: RuntimeDep, caller: NodeDep,
                     document: Annotated[dict[str, Any], Body()]) -> None:
    ledger_sync.store_cosignature(rt, caller.public_key, document)


@router.get("/checkpoint", summary="The depositary checkpoint this node verified, its "
                                   "cosignatures and the split views it knows")
def get_checkpoint(rt: RuntimeDep, caller: NodeDep) -> dict[str, Any]:
    return ledger_sync.witness_view(rt)


@router.get("/feed", summary="This node's transfers to the calling node's Party")
def get_feed(rt: RuntimeDep, caller: PeerDep,
             after: Annotated[int, Query(ge=0, le=2**62)] = 0,
             limit: Annotated[int, Query(ge=1, le=outbox.MAX_PAGE)] = 500) -> dict[str, Any]:
    node = nodes.require_node(rt)
    return outbox.feed_page(rt, node, str(caller.party), after, limit)


@router.post("/receipts", summary="A signed receipt of transfers taken", status_code=204)
def post_receipt(rt: RuntimeDep, caller: PeerDep,
                 document: Annotated[dict[str, Any], Body()]) -> None:
    outbox.accept_receipt(rt, nodes.require_node(rt), str(caller.party), caller.public_key,
                          document)


@router.post("/notify", summary="A peer has new transfers: sync now", status_code=204)
def post_notify(rt: RuntimeDep, caller: PeerDep) -> None:
    engine.wake(rt)


# --- for people ----------------------------------------------------------------------------------

@people.get("/status", summary="Each peer, its Party's state, last contact, lag, quarantine, "
                               "receipts and witnesses")
def get_status(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return record.federation_status(rt, principal)


@people.get("/transfers", summary="What left this node for a Party, or arrived from it")
def get_transfers(rt: RuntimeDep, principal: PrincipalDep,
                  party: Annotated[str, Query(min_length=3, max_length=3)],
                  direction: Annotated[str, Query(pattern="^(sent|arrived)$")] = "sent",
                  after: Annotated[int, Query(ge=0, le=2**62)] = 0,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    return record.list_transfers(rt, principal, direction=direction, party=party, after=after,
                                 limit=limit)


@people.get("/transfers/verify", summary="The transfer chain and its receipts verified")
def get_transfers_verified(rt: RuntimeDep, principal: PrincipalDep,
                           party: Annotated[str, Query(min_length=3, max_length=3)],
                           direction: Annotated[str, Query(pattern="^(sent|arrived)$")] = "sent",
                           ) -> dict[str, Any]:
    return record.verify_transfers(rt, principal, direction=direction, party=party)


@people.post("/admissions", summary="A party-admin asks that its Party's node be admitted",
             status_code=201)
def post_admission(rt: RuntimeDep, principal: PrincipalDep,
                   descriptor: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return nodes.request_admission(rt, principal, descriptor)


@people.get("/admissions", summary="Admissions asked and decided (the depositary)")
def get_admissions(rt: RuntimeDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return nodes.list_admissions(rt, principal)


@people.post("/admissions/{key_id}/decision", summary="The depositary admits or refuses a node")
def post_decision(rt: RuntimeDep, principal: PrincipalDep, key_id: str,
                  admit: Annotated[bool, Body(embed=True)]) -> dict[str, Any]:
    return nodes.decide_admission(rt, principal, key_id, admit=admit)

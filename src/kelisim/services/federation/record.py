"""What the federation shows its people (issue 14 items 7, 8): the transfers that left this node
and those that arrived, with their receipts, and the state of every link with a peer.

For a Party's party-admin and the depositary's operators only (`Action.READ_FEDERATION`): the
record says which objects crossed the border to whom, which is itself information of the Party.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kelisim.domain.access import Action, require
from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput
from kelisim.domain.federation import pages, transfers
from kelisim.domain.federation.roster import Roster, RosterEntry, expiring, node_of, silence
from kelisim.domain.federation.signing import key_id, verify
from kelisim.domain.ledger import Link, decode_body, verify_chain
from kelisim.services import participation
from kelisim.services.federation import ledger_sync
from kelisim.services.federation.node import current_roster, pending_key_id, require_node
from kelisim.services.runtime import Runtime
from kelisim.storage.federation_repository import FederationRepository

DIRECTIONS = ("sent", "arrived")


def federation_status(rt: Runtime, principal: Principal) -> dict[str, Any]:
    node = require_node(rt)
    require(principal, Action.READ_FEDERATION, party=node.party)
    roster = current_roster(rt)
    today = rt.clock().date()
    states = participation.party_states_on(rt, today)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        ledger = uow.ledger.head()
        mine = repo.latest_checkpoint(ledger_sync.DEPOSITARY_SOURCE)
        witnesses = repo.cosignatures(None if mine is None else mine["size"]) if mine else []
        peers = []
        for entry in (roster.entries if roster else ()):
            if entry.party is None or entry.party == node.party:
                continue
            link = repo.peer(entry.party)
            sent = repo.chain_head(transfers.transfer_chain(entry.party))
            receipt = repo.latest_receipt(transfers.transfer_chain(entry.party))
            peers.append({
                "party": entry.party, "url": entry.url, "key_id": entry.key_id,
                "speaks_today": node_of(roster, entry.party, today) is entry if roster else False,
                "state": str(states.get(entry.party)) if states.get(entry.party) else None,
                "last_contact": _iso(link["last_contact"]),
                "last_error": link["last_error"],
                "lag_transfers": link["last_pull_lag"],
                "arrived_through": link["pulled_through"],
                "sent": sent.seq,
                "receipted_through": receipt["through"] if receipt else 0,
                "pending_receipts": sent.seq - (receipt["through"] if receipt else 0),
                "quarantined": repo.quarantine_count(entry.party),
                "copies_held": repo.copies_count(entry.party)})
            peers[-1]["health"] = health(peers[-1])
            peers[-1]["key_valid_until"] = _iso_day(entry.valid_until)
        split = repo.split_views()
    own = next((e for e in roster.entries if e.key_id == node.key.key_id), None) if roster else None
    return {"party": node.party, "url": node.url, "key_id": node.key.key_id,
            "pending_key_id": pending_key_id(rt), "anchor_key_id": key_id(node.depositary_key),
            "roster_serial": roster.serial if roster else None,
            "ledger": {"size": ledger.seq if ledger else 0,
                       "checkpoint_size": mine["size"] if mine else None,
                       "witnesses": len(witnesses)},
            "key_valid_until": _iso_day(own.valid_until) if own else None,
            "key_warnings": key_warnings(rt, roster, node.key.key_id),
            "split_views": [{"detected_at": _iso(r["detected_at"]), "reason": r["reason"]}
                            for r in split],
            "peers": peers}


def key_warnings(rt: Runtime, roster: Roster | None, own_key_id: str) -> list[dict[str, Any]]:
    """The node keys that speak today and expire within `federation_key_warning_days` with no
    successor on the roster: this node's own (its operator runs `kelisim node rotate-key`) and
    its peers' (the depositary's node sees every Party's)."""
    if roster is None:
        return []
    today = rt.clock().date()
    found = []
    for entry in roster.entries:
        if entry.party is None or not entry.speaks_on(today):
            continue
        ends = expiring(entry, roster, today, rt.settings.federation_key_warning_days)
        if ends is None:
            continue
        found.append({"party": entry.party, "key_id": entry.key_id, "own": entry.key_id ==
                      own_key_id, "expires_on": ends.isoformat(),
                      "days_left": (ends - today).days, "remedy": "kelisim node rotate-key"})
    return found


def health(peer: dict[str, Any]) -> str:
    """How a link with a peer is doing, for the picture and the table: `failing` (the last
    sync failed, or the peer's Party is not bound today), `lagging` (transfers not yet taken or
    receipted, items quarantined, or never reached), else `ok`."""
    if peer["last_error"] or peer["state"] not in ("in_force", "withdrawing"):
        return "failing"
    if (peer["last_contact"] is None or (peer["lag_transfers"] or 0) > 0
            or peer["pending_receipts"] > 0 or peer["quarantined"] > 0):
        return "lagging"
    return "ok"


def list_transfers(rt: Runtime, principal: Principal, *, direction: str, party: str,
                   after: int = 0, limit: int = 100) -> dict[str, Any]:
    node = require_node(rt)
    require(principal, Action.READ_FEDERATION, party=node.party)
    chain = _chain(direction, party)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        links = repo.links(chain, after=after, limit=min(max(limit, 1), 1000))
        head = repo.chain_head(chain)
        receipt = repo.latest_receipt(chain) if direction == "sent" else None
    receipted = receipt["through"] if receipt else 0
    items = []
    for link in links:
        body = decode_body(link.body)
        item = {"seq": link.seq, "recorded_at": body["recorded_at"], "hash": link.hash,
                **body["entry"]}
        if direction == "sent":
            item["receipted"] = link.seq <= receipted
        items.append(item)
    return {"chain": chain, "head": {"seq": head.seq, "hash": head.hash}, "items": items,
            "next": links[-1].seq if len(links) == limit and links else None}


def verify_transfers(rt: Runtime, principal: Principal, *, direction: str,
                     party: str) -> dict[str, Any]:
    """The chain recomputed, and (sent) each receipt checked against the entry it names."""
    node = require_node(rt)
    require(principal, Action.READ_FEDERATION, party=node.party)
    chain = _chain(direction, party)
    party = party.strip().upper()
    roster = current_roster(rt)
    with rt.unit_of_work() as uow:
        repo = FederationRepository(uow.connection)
        links = repo.links(chain)
        head = repo.chain_head(chain)
        receipts = repo.receipts(chain) if direction == "sent" else []
    problems = [str(p) for p in verify_chain(links, head)]
    if direction == "arrived":
        problems.extend(_arrival_problems(links, roster, party))
    by_seq = {link.seq: link for link in links}
    for row in receipts:
        document = row["receipt"]
        statement = document["receipt"]
        signer = _spoke(roster, str(statement.get("to")), party, row["received_at"])
        link = by_seq.get(row["through"])
        if isinstance(signer, str) and signer != "unknown":
            problems.append(f"receipt through {row['through']}: {signer}")
        elif isinstance(signer, str) or not verify(signer.public_key, statement,
                                                   document.get("signature", "")):
            problems.append(f"receipt through {row['through']}: its signature does not verify")
        elif link is None or not transfers.receipt_matches(statement, link):
            problems.append(f"receipt through {row['through']}: it names an entry this chain "
                            "does not hold")
    return {"chain": chain, "ok": not problems, "entries": len(links),
            "receipts": len(receipts), "head": {"seq": head.seq, "hash": head.hash},
            "problems": problems}


def _spoke(roster: Roster | None, key: str, party: str,
           at: datetime | str) -> RosterEntry | str:
    """The roster entry of `key` if it spoke for `party` on the day of `at` (a key rotated out
    still verifies what it signed while it spoke); "unknown" if the roster never named it, or
    why it did not speak then (`roster.silence`: a signature dated from a revocation or an
    expiry on is refused)."""
    day = (datetime.fromisoformat(at) if isinstance(at, str) else at).date()
    for entry in roster.entries if roster else ():
        if entry.key_id != key:
            continue
        if entry.party != party:
            return f"key {key} speaks for {entry.party or 'the depositary'}, not {party}"
        why = silence(roster, entry, day) if roster else None
        return entry if why is None else why
    return "unknown"


def _arrival_problems(links: list[Link], roster: Roster | None, party: str) -> list[str]:
    problems = []
    for link in links:
        body = decode_body(link.body)
        entry = body["entry"]
        signer = _spoke(roster, str(entry.get("origin_key")), party, body["recorded_at"])
        if isinstance(signer, str) and signer != "unknown":
            problems.append(f"arrival {link.seq}: {signer}")
            continue
        problem = pages.arrival_problem(entry, None if isinstance(signer, str)
                                        else signer.public_key)
        if problem is not None:
            problems.append(f"arrival {link.seq}: {problem}")
    return problems


def _chain(direction: str, party: str) -> str:
    if direction not in DIRECTIONS:
        raise InvalidInput(f"direction must be one of {', '.join(DIRECTIONS)}")
    party = party.strip().upper()
    if len(party) != 3 or not party.isalpha():
        raise InvalidInput("party must be a three-letter code, e.g. RUS")
    return (transfers.transfer_chain(party) if direction == "sent"
            else transfers.arrival_chain(party))


def _iso_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()

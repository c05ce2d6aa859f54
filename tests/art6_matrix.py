"""The Art. 6 table every analyst read path is tested against (issue 16, "Done means"): each
marking (GREEN, AMBER for a Party or for a body, RED for a named body, KAZ's restricted access
for BLR) by each producer, in a collection every Party reads and in one only KAZ and RUS read,
read by each Party's analyst, the depositary and a withdrawn Party's. `expected_ids` says what
the policy (`may_read`) and the read lists allow; each feature's test checks it shows exactly
that and nothing else (correlation, search, sightings and the graph, exports)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kelisim.domain import exchange_policy as policy
from kelisim.domain.accounts import Principal
from kelisim.services.exchange import collections
from kelisim.services.exchange.collections import state_today
from tests.exchange_support import Exchange, restricted_marking
from tests.integration.test_exchange_confidentiality import post, post_to


@dataclass(frozen=True)
class Posted:
    obj: dict[str, Any]
    marking: policy.Marking
    collection: str  # "main" (every Party reads) or "listed" (KAZ and RUS only)


MARKINGS: dict[str, dict[str, Any]] = {
    "green": {"tlp": "green"},
    "amber-rus": {"tlp": "amber", "recipients": {"parties": ["RUS"]}},
    "amber-ru-cert": {"tlp": "amber", "recipients": {"bodies": ["RU-CERT"]}},
    "red-by-cert": {"tlp": "red", "recipients": {"bodies": ["BY-CERT"]}},
    "restricted-for-blr": {"tlp": "green"},  # plus KAZ's restricted-access marking
}
BODY_PARTY = {"RU-CERT": "RUS", "BY-CERT": "BLR"}
READERS = ("kz", "ru", "by", "depositary", "am")


def policy_marking(name: str, producer: str) -> policy.Marking:
    spec = MARKINGS[name]
    recipients = spec.get("recipients", {})
    return policy.Marking(
        tlp=spec["tlp"], recipient_parties=frozenset(recipients.get("parties", [])),
        recipient_bodies=frozenset(policy.qualified_body(BODY_PARTY[b], b)
                                   for b in recipients.get("bodies", [])),
        restricted_owner="KAZ" if name == "restricted-for-blr" else None,
        restricted_allowed=frozenset({"BLR"}) if name == "restricted-for-blr" else frozenset(),
        producer_party=producer)


def arm_withdrew(ex: Exchange) -> None:
    from kelisim.services import depositary
    depositary.record_entries(ex.node.runtime, ex.admin, [
        {"kind": "notification", "party": "ARM", "received": "2015-01-10",
         "authorized_bodies": [{"name": "AM-CERT"}]},
        {"kind": "withdrawal_notice", "party": "ARM", "received": "2025-01-10",
         "withdrawal_date": "2025-07-10"}])


Build = Callable[[str, int, dict[str, Any], list[str]], dict[str, Any]]
"""(marking name, running number, the marking's spec, marking refs to add) -> the object."""


@dataclass(frozen=True)
class Matrix:
    posted: list[Posted]
    restricted_marking: str  # the id of KAZ's restricted-access marking definition (for BLR)


def post_matrix(ex: Exchange, build: Build, *, first: int = 0) -> Matrix:
    """ARM withdrawn, the `listed` collection made, then one object a cell of the table, each
    built by `build` and posted by its producer; what was posted, with its marking."""
    rt = ex.node.runtime
    arm_withdrew(ex)
    listed = collections.create_collection(rt, ex.admin, title="listed", alias="listed",
                                           read_parties=["KAZ", "RUS"],
                                           write_parties=["KAZ", "RUS"])
    restricted = restricted_marking("KAZ", ["BLR"])
    post(ex, "kz", restricted)
    posted: list[Posted] = []
    n = itertools.count(first)
    for name, producer, where in itertools.product(MARKINGS, ("kz", "ru", "by"),
                                                   ("main", "listed")):
        if (name == "restricted-for-blr" and producer != "kz") or \
                (where == "listed" and producer == "by"):
            continue
        obj = build(name, next(n), MARKINGS[name],
                    [restricted["id"]] if name == "restricted-for-blr" else [])
        status = post_to(ex, producer, listed.id if where == "listed" else ex.collection_id,
                         obj)
        assert status["success_count"] == 1, status
        party = ex.principals[producer].party
        assert party is not None
        posted.append(Posted(obj, policy_marking(name, party), where))
    return Matrix(posted, restricted["id"])


def readers(ex: Exchange, posted: list[Posted]
            ) -> Iterator[tuple[str, Principal, set[str] | None]]:
    """Each reader, and the ids of `posted` it may read; None for a reader that may read
    nothing of the exchange (ARM, withdrawn), whose every read is refused."""
    rt = ex.node.runtime
    for who in READERS:
        principal = ex.principals[who]
        reader = policy.Reader.of(principal, state_today(rt, principal))
        if policy.scope(reader).kind is policy.ScopeKind.NOTHING:
            assert who == "am"
            yield who, principal, None
            continue
        readable = {c.alias or c.id for c in collections.list_collections(rt, principal)
                    if c.can_read}
        yield who, principal, {p.obj["id"] for p in posted
                               if policy.may_read(reader, p.marking)
                               and p.collection in readable}

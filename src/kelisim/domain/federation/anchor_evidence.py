"""A depositary anchor that still signs after its transition: evidence by itself (issue 14,
item 2; decision 0014, "Split views across anchors").

When the depositary's node rotates its key it signs a transition roster with the old anchor and
the new one (`roster.sign_transition`); from the transition's `issued_at` the old key speaks no
more (`roster.anchor_spans`). A checkpoint the old key dates later is what a depositary that
keeps signing with the old key for some nodes shows them (so that they never take the new
anchor, and can be shown another history): the checkpoint and the transition, both signed by
the old key, cannot both be honest. Like a split view, the evidence needs nothing but keys: any
node that trusts (or trusted) the old anchor re-verifies it (`verify_stale_anchor`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kelisim.domain.errors import FederationError, UntrustedSignature
from kelisim.domain.federation import _fields as f
from kelisim.domain.federation.checkpoints import (
    SignedCheckpoint,
    checkpoint_from_json,
    checkpoint_to_json,
    verify_checkpoint,
)
from kelisim.domain.federation.roster import (
    AnchorSpan,
    SignedRoster,
    roster_from_json,
    roster_to_json,
    verify_roster,
)
from kelisim.domain.federation.signing import key_id

STALE_ANCHOR_TYPE = "kelisim/stale-anchor/1"


@dataclass(frozen=True)
class StaleAnchor:
    """`checkpoint`, signed by `transition`'s previous anchor and dated after the transition."""

    checkpoint: SignedCheckpoint
    transition: SignedRoster
    reason: str


def stale_anchor(signed: SignedCheckpoint, transition: SignedRoster,
                 anchors: Mapping[str, AnchorSpan]) -> StaleAnchor | None:
    """The evidence `signed` and `transition` give, or None if the checkpoint is dated at or
    before the transition (the old anchor still spoke). Refused (FederationError) unless the
    transition is signed by both its anchors, the old one is an anchor of `anchors` (by key id:
    the node trusts or trusted it) and the checkpoint is signed by that old anchor."""
    roster = verify_roster(transition, transition.roster.depositary_key)
    old = roster.previous_key
    if old is None:
        raise FederationError(f"roster {roster.serial} is not a transition of the anchor")
    if key_id(old) not in anchors:
        raise UntrustedSignature(f"the anchor {key_id(old)} was never this node's (issue 14)")
    if signed.origin != key_id(old):
        raise FederationError(f"the checkpoint is not of the anchor {key_id(old)} that "
                              f"transition roster {roster.serial} replaced")
    cp = verify_checkpoint(signed, old)
    if cp.issued_at <= roster.issued_at:
        return None
    return StaleAnchor(signed, transition, (
        f"the anchor {key_id(old)} signed a checkpoint of size {cp.size} dated "
        f"{f.iso_instant(cp.issued_at)}, after its transition to {key_id(roster.depositary_key)} "
        f"(roster {roster.serial}, {f.iso_instant(roster.issued_at)}) that it signed too"))


def verify_stale_anchor(evidence: StaleAnchor, anchors: Mapping[str, AnchorSpan]) -> bool:
    try:
        return stale_anchor(evidence.checkpoint, evidence.transition, anchors) is not None
    except FederationError:
        return False


def stale_anchor_to_json(evidence: StaleAnchor) -> dict[str, Any]:
    return {"type": STALE_ANCHOR_TYPE, "reason": evidence.reason,
            "checkpoint": checkpoint_to_json(evidence.checkpoint),
            "transition": roster_to_json(evidence.transition)}


def stale_anchor_from_json(data: object,
                           anchors: Mapping[str, AnchorSpan] | None = None) -> StaleAnchor:
    """The evidence in `data`, refused if malformed; with `anchors`, the reason is this node's
    own when the evidence verifies (the reason is not signed)."""
    body = f.mapping(data, "stale-anchor evidence")
    f.expect_type(body, STALE_ANCHOR_TYPE, "stale-anchor evidence")
    evidence = StaleAnchor(checkpoint_from_json(body.get("checkpoint")),
                           roster_from_json(body.get("transition")),
                           f.field(body, "reason", str, "stale-anchor evidence"))
    if anchors is not None:
        try:
            own = stale_anchor(evidence.checkpoint, evidence.transition, anchors)
        except FederationError:
            own = None
        if own is not None:
            return own
    return evidence

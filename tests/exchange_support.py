"""Shared set-up for the exchange tests: three Parties in force, their bodies, a collection, and
STIX objects with the Agreement's markings (everything fictional)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from kelisim.domain.accounts import Principal
from kelisim.domain.stix.extension import (
    KELISIM_EXTENSION_ID,
    RESTRICTED_ACCESS_EXTENSION_ID,
    STATE_SECRET_MARKING_ID,
    TLP_MARKING_IDS,
)
from kelisim.services import accounts, depositary
from kelisim.services.exchange import collections
from tests.conftest import LiveServer, Node

STAMP = "2026-11-20T10:00:00.000Z"


def founding_history() -> list[dict[str, Any]]:
    signatures = [{"kind": "signature", "party": p, "date": "2013-11-20"}
                  for p in ("KAZ", "RUS", "BLR", "ARM")]
    notifications = [
        {"kind": "notification", "party": party, "received": received,
         "authorized_bodies": [{"name": body}]}
        for party, received, body in (("KAZ", "2014-03-01", "KZ-CERT"),
                                      ("RUS", "2014-04-01", "RU-CERT"),
                                      ("BLR", "2014-05-01", "BY-CERT"))]
    return signatures + notifications


@dataclass
class Exchange:
    node: Node
    admin: Principal
    tokens: dict[str, str]
    principals: dict[str, Principal]
    collection_id: str


def account(node: Node, admin: Principal, name: str, role: str, party: str | None,
            organization: str | None, kind: str = "authorized_body") -> tuple[str, Principal]:
    created = accounts.create_account(node.runtime, admin, name=name, role=role,
                                      organization_kind=kind, party=party,
                                      organization=organization)
    return created["token"], accounts.authenticate(node.runtime, created["token"])


def setup_exchange(node: Node) -> Exchange:
    admin = accounts.authenticate(node.runtime, node.admin_token)
    depositary.record_entries(node.runtime, admin, founding_history())
    people = {
        "kz": ("analyst", "KAZ", "KZ-CERT"), "kz_admin": ("party-admin", "KAZ", "KZ-CERT"),
        "kz_reader": ("reader", "KAZ", "KZ-CERT"), "ru": ("analyst", "RUS", "RU-CERT"),
        "by": ("analyst", "BLR", "BY-CERT"), "am": ("analyst", "ARM", "AM-CERT"),
    }
    tokens, principals = {}, {}
    for key, (role, party, body) in people.items():
        tokens[key], principals[key] = account(node, admin, f"{key} account", role, party, body)
    tokens["depositary"], principals["depositary"] = node.admin_token, admin
    tokens["cert"], principals["cert"] = account(node, admin, "certifier", "certifier", "KAZ",
                                                 "KZ-LAB", kind="certification_body")
    found = collections.create_collection(node.runtime, admin, title="Exchange",
                                          description="All Parties", alias="main")
    return Exchange(node, admin, tokens, principals, found.id)


def indicator(name: str = "bad domain", *, tlp: str | None = "green",
              recipients: dict[str, list[str]] | None = None, markings: list[str] = (),
              stix_id: str | None = None, modified: str = STAMP, directions: list[int] = (9,),
              threat_class: str | None = "information_crime") -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator", "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid4()}", "created": "2026-11-20T10:00:00.000Z",
        "modified": modified, "name": name, "pattern_type": "stix",
        "pattern": "[domain-name:value = 'bad.example']", "valid_from": "2026-11-20T10:00:00Z",
    }
    refs = list(markings)
    if tlp:
        refs.append(TLP_MARKING_IDS[tlp])
    if refs:
        obj["object_marking_refs"] = refs
    extension: dict[str, Any] = {"extension_type": "property-extension",
                                 "art3_directions": list(directions)}
    if threat_class:
        extension["threat_class"] = threat_class
    if recipients:
        extension["recipients"] = recipients
    obj["extensions"] = {KELISIM_EXTENSION_ID: extension}
    return obj


def restricted_marking(owner: str, allowed: list[str]) -> dict[str, Any]:
    return {
        "type": "marking-definition", "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}", "created": STAMP,
        "name": f"restricted-access information of {owner}",
        "extensions": {RESTRICTED_ACCESS_EXTENSION_ID: {
            "extension_type": "property-extension", "owner_party": owner,
            "legal_basis": "Law on information (fictional)", "allowed_parties": allowed}},
    }


def state_secret(name: str = "x") -> dict[str, Any]:
    return indicator(name, markings=[STATE_SECRET_MARKING_ID])


TAXII = "application/taxii+json;version=2.1"


def collection_client(live_server: LiveServer, ex: Exchange, who: str) -> httpx.Client:
    """A TAXII client of the exchange's collection, as `who` (a key of `ex.tokens`)."""
    return httpx.Client(base_url=f"{live_server.base_url}/taxii2/api1/collections/"
                                 f"{ex.collection_id}/", timeout=30,
                        headers={"Authorization": f"Bearer {ex.tokens[who]}", "Accept": TAXII,
                                 "Content-Type": TAXII})

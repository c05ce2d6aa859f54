"""A registry recorded through the real services on a real database, for the integration tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from kelisim.domain.accounts import Principal
from kelisim.services import accounts, depositary
from kelisim.services.certification import recording
from tests.certification_data import ARRANGEMENTS, DEPOSITARY_HISTORY, SCHEMES, certificate_json
from tests.conftest import Node


@dataclass
class Registry:
    node: Node
    admin: Principal
    certifiers: dict[str, Principal] = field(default_factory=dict)
    party_admins: dict[str, Principal] = field(default_factory=dict)


def principal(node: Node, **account: str) -> Principal:
    created = accounts.create_account(node.runtime, None, **account)
    return accounts.authenticate(node.runtime, created["token"])


def make_registry(node: Node, *, arrangements: bool = True) -> Registry:
    rt = node.runtime
    admin = accounts.authenticate(rt, node.admin_token)
    depositary.record_entries(rt, admin, DEPOSITARY_HISTORY)
    registry = Registry(node, admin)
    for party in ("KAZ", "RUS", "BLR"):
        registry.certifiers[party] = principal(
            node, name=f"{party} certification body", role="certifier",
            organization_kind="certification_body", party=party)
        registry.party_admins[party] = principal(
            node, name=f"{party} admin", role="party-admin",
            organization_kind="authorized_body", party=party)
    for raw in SCHEMES.values():
        recording.record_scheme(rt, registry.certifiers[raw["party"]], raw)
    if arrangements:
        for raw in ARRANGEMENTS.values():
            party = SCHEMES[raw["recognising_scheme"]]["party"]
            recording.record_arrangement(rt, registry.party_admins[party], raw)
    return registry


def issue(registry: Registry, number: str, scheme: str, **fields: object) -> dict:
    party = SCHEMES.get(scheme, {"party": "KAZ"})["party"]
    return recording.issue_certificate(registry.node.runtime, registry.certifiers[party],
                                       certificate_json(number, scheme, **fields))

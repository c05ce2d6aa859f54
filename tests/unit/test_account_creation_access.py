"""Who may create which kind of account, as a table (issue 17, high): the depositary and the
local operator any; a party-admin only its own Party's authorized-body accounts (party-admin,
analyst, reader) - never a certification body's (Art. 3, direction 14) nor the depositary's;
every other role none. The whole product is listed, nothing is defaulted."""

from __future__ import annotations

import itertools

import pytest

from kelisim.domain.access import creatable_roles, may_create_account
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import PermissionDenied
from tests.unit.test_access_policy import PRINCIPALS

OWN, OTHER, NONE = "own", "other", "none"
PARTY = {OWN: "KAZ", OTHER: "RUS", NONE: None}
OPERATOR = "operator"
CREATORS: dict[str, Principal | None] = {OPERATOR: None,
                                         **{r.value: p for r, p in PRINCIPALS.items()}}
AUTHORIZED_BODY_ROLES = {Role.PARTY_ADMIN, Role.ANALYST, Role.READER}


def expected(creator: str, role: Role, kind: OrganizationKind, party: str) -> bool:
    if creator in (OPERATOR, Role.DEPOSITARY.value):
        return True
    return (creator == Role.PARTY_ADMIN.value and party == OWN
            and kind is OrganizationKind.AUTHORIZED_BODY and role in AUTHORIZED_BODY_ROLES)


TABLE = [(c, r, k, t, expected(c, r, k, t))
         for c, r, k, t in itertools.product(CREATORS, Role, OrganizationKind, PARTY)]


def test_the_table_covers_every_creator_role_kind_and_party() -> None:
    assert len(TABLE) == (len(Role) + 1) * len(Role) * len(OrganizationKind) * 3
    assert sum(v for *_, v in TABLE) == 2 * len(Role) * len(OrganizationKind) * 3 + 3


@pytest.mark.parametrize(
    ("creator", "role", "kind", "party", "verdict"),
    [pytest.param(*row, id=f"{row[0]}-creates-{row[1].value}-{row[2].value}-{row[3]}-party-"
                          f"{'allowed' if row[4] else 'denied'}") for row in TABLE],
)
def test_who_may_create_which_account(creator: str, role: Role, kind: OrganizationKind,
                                      party: str, verdict: bool) -> None:
    decision = may_create_account(CREATORS[creator], role, kind, PARTY[party])
    assert decision.allowed is verdict
    if verdict:
        decision.enforce("manage_accounts")
        return
    assert str(decision.reason)
    with pytest.raises(PermissionDenied) as refused:
        decision.enforce("manage_accounts")
    assert refused.value.reason == str(decision.reason)


def test_a_party_admin_is_told_why_it_may_not_mint_a_certification_body() -> None:
    decision = may_create_account(PRINCIPALS[Role.PARTY_ADMIN], Role.CERTIFIER,
                                  OrganizationKind.CERTIFICATION_BODY, "KAZ")
    assert not decision.allowed
    assert "authorized body only" in str(decision.reason)
    assert decision.article == "Art. 3 (direction 14)"


def test_forms_offer_exactly_the_roles_the_table_allows() -> None:
    assert set(creatable_roles(None)) == set(Role)
    assert set(creatable_roles(PRINCIPALS[Role.DEPOSITARY])) == set(Role)
    assert set(creatable_roles(PRINCIPALS[Role.PARTY_ADMIN])) == AUTHORIZED_BODY_ROLES
    for role in (Role.ANALYST, Role.READER, Role.CERTIFIER):
        assert creatable_roles(PRINCIPALS[role]) == ()

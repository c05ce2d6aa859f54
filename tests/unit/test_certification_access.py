"""Who may record into the certification registry, as a table (Art. 3, direction 14): a
certification body for its own Party's schemes only, a party-admin for its own Party's
arrangements only, the depositary's console for any; everyone with an account reads."""

from __future__ import annotations

import itertools

import pytest

from kelisim.domain.access import CertificationAction, certification_allowed, require_certification
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import PermissionDenied

KINDS = {Role.DEPOSITARY: OrganizationKind.DEPOSITARY,
         Role.CERTIFIER: OrganizationKind.CERTIFICATION_BODY}
PRINCIPALS = {role: Principal(i, role.value, role,
                              KINDS.get(role, OrganizationKind.AUTHORIZED_BODY),
                              None if role is Role.DEPOSITARY else "KAZ")
              for i, role in enumerate(Role, 1)}
TARGETS = {"own": "KAZ", "other": "RUS"}


def expected(role: Role, action: CertificationAction, target: str) -> bool:
    if action is CertificationAction.READ or role is Role.DEPOSITARY:
        return True
    if action is CertificationAction.RECORD_CERTIFICATES:
        return role is Role.CERTIFIER and target == "own"
    return role is Role.PARTY_ADMIN and target == "own"


TABLE = list(itertools.product(Role, CertificationAction, TARGETS))


@pytest.mark.parametrize(("role", "action", "target"), TABLE,
                         ids=[f"{r.value}-{a.value}-{t}" for r, a, t in TABLE])
def test_the_certification_access_policy(role: Role, action: CertificationAction,
                                         target: str) -> None:
    verdict = expected(role, action, target)
    principal = PRINCIPALS[role]
    assert certification_allowed(principal, action, party=TARGETS[target]) is verdict
    if not verdict:
        with pytest.raises(PermissionDenied) as refused:
            require_certification(principal, action, party=TARGETS[target])
        assert refused.value.article == "Art. 3 (direction 14)"
        if target == "other" and role in (Role.CERTIFIER, Role.PARTY_ADMIN):
            assert "belongs to KAZ, not RUS" in refused.value.reason


def test_no_party_named_is_not_anyones_own_party() -> None:
    certifier = PRINCIPALS[Role.CERTIFIER]
    assert not certification_allowed(certifier, CertificationAction.RECORD_CERTIFICATES)

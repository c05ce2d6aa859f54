"""Who may do what, as a table (issue 3): anyone with an account reads the status, the text and
the ledger; the depositary alone records instruments (Art. 13-15); the depositary manages every
account and a party-admin only those of its own Party."""

from __future__ import annotations

import itertools

import pytest

from kelisim.domain.access import Action, allowed, require
from kelisim.domain.accounts import OrganizationKind, Principal, Role
from kelisim.domain.errors import PermissionDenied

OWN, OTHER, NONE = "own", "other", "none"

PRINCIPALS = {
    Role.DEPOSITARY: Principal(1, "cis-ec", Role.DEPOSITARY, OrganizationKind.DEPOSITARY, None),
    Role.PARTY_ADMIN: Principal(2, "kz-admin", Role.PARTY_ADMIN,
                                OrganizationKind.AUTHORIZED_BODY, "KAZ"),
    Role.ANALYST: Principal(3, "kz-analyst", Role.ANALYST, OrganizationKind.AUTHORIZED_BODY,
                            "KAZ"),
    Role.READER: Principal(4, "kz-reader", Role.READER, OrganizationKind.AUTHORIZED_BODY, "KAZ"),
    Role.CERTIFIER: Principal(5, "kz-cert", Role.CERTIFIER, OrganizationKind.CERTIFICATION_BODY,
                              "KAZ"),
}
TARGET_PARTY = {OWN: "KAZ", OTHER: "RUS", NONE: None}

READS = (Action.READ_STATUS, Action.READ_AGREEMENT, Action.READ_LEDGER, Action.READ_WORKSPACE)

# (role, action, target) -> allowed; the whole product is listed, nothing is defaulted.
EXPECTED: dict[tuple[Role, Action, str], bool] = {}
for role, action, target in itertools.product(Role, Action, (OWN, OTHER, NONE)):
    if action in READS:
        verdict = True
    elif action in (Action.RECORD_INSTRUMENT, Action.ADMIT_NODE):
        verdict = role is Role.DEPOSITARY
    elif action is Action.REQUEST_NODE_ADMISSION:  # issue 14: for its own Party's node only
        verdict = role is Role.PARTY_ADMIN and target == OWN
    elif action is Action.ACT_IN_WORKSPACE:  # issue 15, Art. 4: an authorized body, own Party
        verdict = role in (Role.PARTY_ADMIN, Role.ANALYST) and target == OWN
    elif action is Action.LAUNCH_CONTACT_CHECK:  # issue 15 item 9, Art. 8, 9: not per Party
        verdict = role in (Role.DEPOSITARY, Role.PARTY_ADMIN, Role.ANALYST)
    elif action is Action.READ_FEDERATION:
        verdict = role is Role.DEPOSITARY or (role is Role.PARTY_ADMIN and target == OWN)
    else:  # MANAGE_ACCOUNTS
        verdict = role is Role.DEPOSITARY or (role is Role.PARTY_ADMIN and target == OWN)
    EXPECTED[(role, action, target)] = verdict


def test_the_table_covers_every_role_and_action() -> None:
    assert len(EXPECTED) == len(Role) * len(Action) * 3


@pytest.mark.parametrize(
    ("role", "action", "target", "verdict"),
    [pytest.param(r, a, t, v, id=f"{r.value}-{a.value}-{t}-party-{'allowed' if v else 'denied'}")
     for (r, a, t), v in EXPECTED.items()],
)
def test_the_access_policy(role: Role, action: Action, target: str, verdict: bool) -> None:
    principal = PRINCIPALS[role]
    party = TARGET_PARTY[target]
    assert allowed(principal, action, party=party) is verdict
    if verdict:
        require(principal, action, party=party)
    else:
        with pytest.raises(PermissionDenied) as refused:
            require(principal, action, party=party)
        assert refused.value.reason
        assert refused.value.details["action"] == action.value


@pytest.mark.parametrize(
    ("role", "says"),
    [
        pytest.param(Role.READER, "Only the depositary records instruments", id="reader"),
        pytest.param(Role.PARTY_ADMIN, "Only the depositary records instruments",
                     id="party-admin"),
    ],
)
def test_a_refusal_to_record_cites_the_articles(role: Role, says: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(PRINCIPALS[role], Action.RECORD_INSTRUMENT)
    assert says in refused.value.reason
    assert "Art. 13-15" in refused.value.reason


def test_a_party_admin_refused_for_another_party_is_told_which_party_it_manages() -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(PRINCIPALS[Role.PARTY_ADMIN], Action.MANAGE_ACCOUNTS, party="RUS")
    assert "KAZ" in refused.value.reason

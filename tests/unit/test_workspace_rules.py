"""The workspace's rules as tables (issue 15): joining (Art. 4, 13-15), participation ending on
the withdrawal date (Art. 15), consent to deadlines (Art. 5), cost totals and shares (Art. 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kelisim.domain.errors import InvalidInput, RuleViolation
from kelisim.domain.treaty import PartyState
from kelisim.domain.workspace import costs, stages
from kelisim.domain.workspace.participation import Participation, check_may_join, ends_on

D = date(2026, 11, 25)
AT = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(("state", "already", "joins"), [
    (PartyState.IN_FORCE, False, True),
    (PartyState.WITHDRAWING, False, True),  # bound until its withdrawal date (Art. 15)
    (PartyState.PENDING, False, False),
    (PartyState.SIGNATORY, False, False),
    (PartyState.WITHDRAWN, False, False),
    (PartyState.NOT_PARTY, False, False),
    (PartyState.IN_FORCE, True, False),
])
def test_who_may_join(state: PartyState, already: bool, joins: bool) -> None:
    taking_part = [Participation("KAZ", date(2026, 1, 1), "kz")] if already else []
    if joins:
        check_may_join("KAZ", state, D, taking_part)
    else:
        with pytest.raises(RuleViolation):
            check_may_join("KAZ", state, D, taking_part)


@pytest.mark.parametrize(("joined", "withdrawals", "on", "ends", "active"), [
    (date(2026, 1, 1), (), D, None, True),
    (date(2026, 1, 1), (date(2026, 12, 1),), D, date(2026, 12, 1), True),
    (date(2026, 1, 1), (date(2026, 12, 1),), date(2026, 12, 1), date(2026, 12, 1), False),
    (date(2026, 1, 1), (date(2025, 6, 1),), D, None, True),  # an earlier term's withdrawal
    (date(2026, 1, 1), (date(2026, 3, 1), date(2027, 3, 1)), D, date(2026, 3, 1), False),
])
def test_participation_ends_by_itself_on_the_withdrawal_date(
        joined: date, withdrawals: tuple[date, ...], on: date, ends: date | None,
        active: bool) -> None:
    found = ends_on(joined, withdrawals)
    assert found == ends
    assert Participation("KAZ", joined, "kz", found).active_on(on) is active


def _stage(consents: list[tuple[str, int]], revision: int = 1) -> stages.Stage:
    return stages.Stage("s", 1, "first", (), D, revision,
                        [stages.Consent(p, r, "x", AT) for p, r in consents])


@pytest.mark.parametrize(("consents", "revision", "participants", "agreed"), [
    ([], 1, {"KAZ"}, False),
    ([("KAZ", 1)], 1, {"KAZ"}, True),
    ([("KAZ", 1)], 1, {"KAZ", "RUS"}, False),
    ([("KAZ", 1), ("RUS", 1)], 1, {"KAZ", "RUS"}, True),
    ([("KAZ", 1), ("RUS", 1)], 2, {"KAZ", "RUS"}, False),  # changed: consent again
    ([("KAZ", 1), ("RUS", 2)], 2, {"KAZ", "RUS"}, False),
    ([("KAZ", 2), ("RUS", 2)], 2, {"KAZ", "RUS"}, True),
    ([("KAZ", 1), ("BLR", 1)], 1, {"KAZ"}, True),  # BLR withdrew: its consent is moot
    ([], 1, set(), False),
])
def test_a_deadline_is_agreed_once_every_participant_consented(
        consents: list[tuple[str, int]], revision: int, participants: set[str],
        agreed: bool) -> None:
    assert stages.deadline_agreed(_stage(consents, revision), frozenset(participants)) is agreed


@pytest.mark.parametrize(("deadline", "completed", "overdue"), [
    (date(2026, 11, 24), None, True), (D, None, False), (date(2026, 11, 24), D, False)])
def test_overdue_is_read_against_the_day(deadline: date, completed: date | None,
                                         overdue: bool) -> None:
    stage = stages.Stage("s", 1, "t", (), deadline, completed_on=completed)
    assert stages.overdue(stage, D) is overdue


def test_a_consent_to_a_changed_deadline_is_refused() -> None:
    with pytest.raises(RuleViolation, match="revision 2"):
        stages.check_consent(_stage([], revision=2), "KAZ", 1)


@pytest.mark.parametrize(("text", "ok"), [
    ("1250.50", True), ("0.0001", True), ("0", False), ("-1", False), ("NaN", False),
    ("Infinity", False), ("1e3", True), ("1.00001", False), ("abc", False), ("", False)])
def test_amounts_are_positive_decimal_strings(text: str, ok: bool) -> None:
    if ok:
        assert costs.parse_amount(text) == Decimal(text)
    else:
        with pytest.raises(InvalidInput):
            costs.parse_amount(text)


@pytest.mark.parametrize(("code", "ok"), [("KZT", True), ("rub", True), ("BYN", True),
                                          ("XYZ", False), ("KZ", False), ("EURO", False)])
def test_currencies_are_iso_4217(code: str, ok: bool) -> None:
    if ok:
        assert costs.parse_currency(code) == code.upper()
    else:
        with pytest.raises(InvalidInput):
            costs.parse_currency(code)


def _cost(party: str, amount: str, currency: str) -> costs.Cost:
    return costs.Cost("c", party, Decimal(amount), currency, None, "", "x")


RECORDED = [_cost("KAZ", "100.50", "KZT"), _cost("KAZ", "0.50", "KZT"),
            _cost("KAZ", "10", "USD"), _cost("RUS", "300", "KZT")]


def test_totals_are_per_party_and_per_currency_never_converted() -> None:
    assert costs.totals(RECORDED) == {"KAZ": {"KZT": Decimal("101.00"), "USD": Decimal(10)},
                                      "RUS": {"KZT": Decimal(300)}}
    assert costs.per_currency(RECORDED) == {"KZT": Decimal("401.00"), "USD": Decimal(10)}


@pytest.mark.parametrize(("shares", "consenting", "participants", "agreed"), [
    (None, set(), {"KAZ", "RUS"}, False),
    ({"KAZ": "0.5", "RUS": "0.5"}, {"KAZ"}, {"KAZ", "RUS"}, False),
    ({"KAZ": "0.5", "RUS": "0.5"}, {"KAZ", "RUS"}, {"KAZ", "RUS"}, True),
    ({"KAZ": "0.5", "RUS": "0.5"}, {"KAZ", "RUS"}, {"KAZ", "RUS", "BLR"}, False),  # BLR joined
])
def test_own_costs_unless_every_participant_agreed_shares(
        shares: dict[str, str] | None, consenting: set[str], participants: set[str],
        agreed: bool) -> None:
    parsed = {p: Decimal(s) for p, s in shares.items()} if shares else None
    assert costs.shares_agreed(parsed, frozenset(consenting), frozenset(participants)) is agreed


def test_what_each_party_bears_own_costs_or_agreed_shares() -> None:
    assert costs.borne(RECORDED, None) == costs.totals(RECORDED)
    shared = costs.borne(RECORDED, {"KAZ": Decimal("0.25"), "RUS": Decimal("0.75")})
    assert shared == {"KAZ": {"KZT": Decimal("100.25"), "USD": Decimal("2.50")},
                      "RUS": {"KZT": Decimal("300.75"), "USD": Decimal("7.50")}}


@pytest.mark.parametrize("shares", [{"KAZ": "0.5"}, {"KAZ": "0.7", "RUS": "0.7"},
                                    {"KAZ": "1.5", "RUS": "-0.5"}, {"KAZ": "x"}, {}])
def test_shares_are_fractions_summing_to_one(shares: dict[str, str]) -> None:
    with pytest.raises(InvalidInput):
        costs.parse_shares(shares)

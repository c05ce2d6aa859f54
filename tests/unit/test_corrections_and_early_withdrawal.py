"""Corrections that are themselves corrected or voided, and a Party that withdraws unbound."""

from __future__ import annotations

from datetime import date

import pytest

from kelisim.domain.errors import InvalidInput
from tests.unit.test_treaty_rules import (
    correct,
    effective,
    notif,
    party_on,
    refusal,
    sig,
    status,
    void,
    withdraw,
)

FOUNDING = [sig("KAZ"), sig("RUS"), sig("BLR"), notif("KAZ", "2014-03-01"),
            notif("RUS", "2014-05-02"), notif("BLR", "2015-03-01")]


def test_voiding_a_correction_restores_the_entry_as_the_other_corrections_leave_it() -> None:
    history = [*FOUNDING, correct(4, received="2014-03-05"), correct(4, received="2014-03-09"),
               void(8)]
    kaz = next(e for e in effective(history) if e.id == 4)
    assert kaz.instrument.received == date(2014, 3, 5)  # type: ignore[union-attr]
    assert kaz.corrected_by == (7,)


def test_voiding_the_only_correction_restores_the_original() -> None:
    history = [*FOUNDING, correct(4, received="2014-03-05"), void(7)]
    assert party_on(history, "KAZ", "2015-04-01").instrument_received == date(2014, 3, 1)


def test_a_voided_correction_cannot_be_corrected_again() -> None:
    history = [*FOUNDING, correct(4, received="2014-03-05"), void(7),
               correct(7, received="2014-03-06")]
    assert "was voided" in refusal(history).reason


@pytest.mark.parametrize("field", ["date", "changed", "withdrawal_date"])
def test_a_correction_naming_a_field_the_entry_does_not_have_is_refused(field: str) -> None:
    history = [*FOUNDING, correct(4, **{field: "2014-03-05"})]
    error = refusal(history)
    assert isinstance(error, InvalidInput)
    assert f"has no {field}" in error.reason


def test_extra_fields_such_as_a_document_number_can_be_corrected() -> None:
    history = [*FOUNDING, correct(4, document="No. 12/345")]
    kaz = next(e for e in effective(history) if e.id == 4)
    assert kaz.instrument.extra["document"] == "No. 12/345"


def test_a_party_that_withdraws_before_it_is_bound_has_no_date_of_effect() -> None:
    history = [sig("KAZ"), sig("RUS"), sig("BLR"), notif("KAZ", "2014-03-01"),
               withdraw("KAZ", "2014-04-01"), notif("RUS", "2014-05-02"),
               notif("BLR", "2015-03-01")]
    kaz = party_on(history, "KAZ", "2015-06-01")
    assert kaz.state.value == "withdrawn"
    assert kaz.withdrawal_effective == date(2014, 10, 1)
    assert kaz.in_force_from is None
    # its notification was received, so it still counts toward the three (Art. 13 counts receipts)
    assert status(history, "2015-06-01").entry_into_force == date(2015, 3, 31)

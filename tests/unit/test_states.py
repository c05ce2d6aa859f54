"""CIS states and their CIS status over time; domestic acts about the Agreement."""

from __future__ import annotations

from datetime import date

import pytest

from kelisim.domain.agreement_text import load_agreement
from kelisim.domain.errors import NotFound
from kelisim.domain.states import (
    CIS_STATUSES,
    cis_states_on,
    domestic_acts,
    is_cis_state,
    load_states,
    state,
)

SIGNING = date(2013, 11, 20)


def test_the_twelve_states() -> None:
    assert sorted(load_states()) == [
        "ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UKR", "UZB",
    ]  # fmt: skip


def test_names_in_three_languages() -> None:
    for code, info in load_states().items():
        assert set(info.names) == {"kk", "ru", "en"}, code
        assert all(name.strip() for name in info.names.values()), code
    assert state("KAZ").names == {"kk": "Қазақстан", "ru": "Казахстан", "en": "Kazakhstan"}
    assert state("KGZ").names["en"] == "Kyrgyz Republic"
    assert state("RUS").names["ru"] == "Российская Федерация"


def test_periods_are_sourced_and_well_formed() -> None:
    for code, info in load_states().items():
        assert info.cis_periods, code
        for period in info.cis_periods:
            assert period.status in CIS_STATUSES
            assert period.source.strip()
            assert period.end is None or period.end > period.start


def test_signature_blocks_flag() -> None:
    signatories = set(load_agreement().signature_blocks)
    assert len(signatories) == 11
    for code, info in load_states().items():
        assert info.in_signature_blocks == (code in signatories)
    assert not state("GEO").in_signature_blocks


def test_georgia() -> None:
    assert is_cis_state("GEO", date(2005, 1, 1))
    assert not is_cis_state("GEO", SIGNING)
    assert is_cis_state("GEO", date(2009, 8, 17))
    assert not is_cis_state("GEO", date(2009, 8, 18))  # end is exclusive
    assert not is_cis_state("GEO", date(1993, 12, 2))
    assert is_cis_state("GEO", date(1993, 12, 3))  # start is inclusive


def test_turkmenistan_associate() -> None:
    tkm = state("TKM")
    assert is_cis_state("TKM", SIGNING)
    assert tkm.cis_status_on(SIGNING) == "associate_member"
    assert tkm.cis_status_on(date(2005, 8, 25)) == "member"
    assert tkm.cis_status_on(date(2005, 8, 26)) == "associate_member"


def test_ukraine_participant_without_end() -> None:
    ukr = state("UKR")
    assert [p.status for p in ukr.cis_periods] == ["participant"]
    assert ukr.cis_periods[0].end is None
    assert "2018" in ukr.cis_periods[0].source
    assert is_cis_state("UKR", SIGNING)


def test_late_ratifiers() -> None:
    assert not is_cis_state("AZE", date(1993, 9, 23))
    assert state("AZE").cis_status_on(date(1993, 9, 24)) == "member"
    assert not is_cis_state("MDA", date(1994, 4, 7))
    assert is_cis_state("MDA", date(1994, 4, 8))


def test_states_on_signing_day() -> None:
    on = cis_states_on(SIGNING)
    codes = [s.code for s in on]
    assert codes == sorted(codes)
    assert set(codes) == set(load_agreement().signature_blocks)
    assert "GEO" not in codes


def test_before_the_cis() -> None:
    assert cis_states_on(date(1991, 12, 20)) == []


def test_unknown_code() -> None:
    with pytest.raises(NotFound) as excinfo:
        state("FRA")
    assert "FRA" in excinfo.value.reason
    with pytest.raises(NotFound):
        state("")
    assert not is_cis_state("FRA", SIGNING)
    assert state("kaz").code == "KAZ"


def test_domestic_acts() -> None:
    acts = domestic_acts()
    assert len(acts) == 1
    kaz = acts[0]
    assert kaz.party == "KAZ"
    assert kaz.date == date(2018, 5, 3)
    assert "150-VI" in kaz.reference
    assert set(kaz.title) == {"kk", "ru", "en"}
    assert kaz.title["ru"].startswith("О ратификации Соглашения")
    assert "not a notification" in kaz.note
    assert kaz.source.strip()
    for act in acts:
        state(act.party)  # every party is a known state


def test_loaders_are_cached() -> None:
    assert load_states() is load_states()
    assert domestic_acts() is domestic_acts()

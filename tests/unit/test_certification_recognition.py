"""The verification rule as a table (Art. 2; Art. 3 direction 14; Art. 13-15): every reason, with
dates at the edges — issue day, expiry day, suspension and reinstatement days, arrangement start
and end, ageing out, a Party's withdrawal."""

from __future__ import annotations

from datetime import date

import pytest

from kelisim.domain.certification.lifecycle import Certificate
from kelisim.domain.certification.verification import ReasonCode, verify
from kelisim.domain.treaty import PartyState
from tests.certification_data import arrangements, build, certificate_json, schemes

IN_FORCE = {p: PartyState.IN_FORCE for p in ("KAZ", "RUS", "BLR")} | {
    "ARM": PartyState.SIGNATORY, "UZB": PartyState.NOT_PARTY}

# RU-FSTEC trust level 4, issued 2021-03-01, expiring 2026-03-01, suspended 2023-05-10 and
# reinstated 2023-06-01; KAZ recognises it (KAZ-RU: from 2020-01-01, cap 4, 36 months).
RU_4 = ("RU-4", certificate_json("RU-4", "RU-FSTEC", document="FSTEC-UD", level="4"),
        [("suspended", {"on": "2023-05-10", "reason": "vulnerability"}),
         ("reinstated", {"on": "2023-06-01"})])
RU_2 = ("RU-2", certificate_json("RU-2", "RU-FSTEC", document="FSTEC-UD", level="2"), [])
RU_FW = ("RU-FW", certificate_json("RU-FW", "RU-FSTEC", document="FSTEC-FW", level="4"), [])
RU_WD = ("RU-WD", certificate_json("RU-WD", "RU-FSTEC", document="FSTEC-UD", level="5"),
         [("withdrawn", {"on": "2022-02-01"})])
RU_EXP = ("RU-EXP", certificate_json("RU-EXP", "RU-FSTEC", document="FSTEC-UD", level="5"),
          [("expired", {"on": "2022-02-01"})])
# KZ-CC: EAL4 + ALC_FLR.2 (RUS recognises at most EAL2 + ALC_FLR, limited at the cap), a
# cPP firewall at any level, an EAL2 + AVA_VAN.3 one; issued before RUS-KZ's start (2021-01-01).
KZ_EAL4 = ("KZ-EAL4", certificate_json(
    "KZ-EAL4", "KZ-CC", level="EAL4", issued="2020-06-01", expires="2027-06-01",
    requirements=[{"document": "CC-3.1", "level": "EAL4",
                   "augmentations": ["ALC_FLR.2", "AVA_VAN.5"]}]),
           [])
KZ_CPP = ("KZ-CPP", certificate_json("KZ-CPP", "KZ-CC", document="CPP-FW",
                                     level="conformant"), [])
# BY-OAC under KAZ-BY (SOG-IS-style, EAL4; EAL7 in smart cards; until 2025-01-01).
BY_SC = ("BY-SC", certificate_json("BY-SC", "BY-OAC", level="EAL6", issued="2020-01-01",
                                   technical_domain="smart_cards"), [])
BY_EAL6 = ("BY-EAL6", certificate_json("BY-EAL6", "BY-OAC", level="EAL6", issued="2020-01-01"),
           [])

CERTS = {key: (raw, events) for key, raw, events in
         (RU_4, RU_2, RU_FW, RU_WD, RU_EXP, KZ_EAL4, KZ_CPP, BY_SC, BY_EAL6)}
BLR_WITHDRAWN = {**IN_FORCE, "BLR": PartyState.WITHDRAWN}
BLR_WITHDRAWING = {**IN_FORCE, "BLR": PartyState.WITHDRAWING}

# (certificate, in, on, party states, valid, the decisive reason)
TABLE = [
    ("RU-4", "KAZ", "2021-02-28", IN_FORCE, False, ReasonCode.NOT_YET_ISSUED),
    ("RU-4", "KAZ", "2021-03-01", IN_FORCE, True, ReasonCode.RECOGNISED),       # issue day
    ("RU-4", "KAZ", "2023-05-09", IN_FORCE, True, ReasonCode.RECOGNISED),
    ("RU-4", "KAZ", "2023-05-10", IN_FORCE, False, ReasonCode.SUSPENDED),       # suspension day
    ("RU-4", "KAZ", "2023-05-31", IN_FORCE, False, ReasonCode.SUSPENDED),
    ("RU-4", "KAZ", "2023-06-01", IN_FORCE, True, ReasonCode.RECOGNISED),       # reinstated
    ("RU-4", "KAZ", "2024-02-29", IN_FORCE, True, ReasonCode.RECOGNISED),
    ("RU-4", "KAZ", "2024-03-01", IN_FORCE, False, ReasonCode.AGED_OUT),        # 36 months
    ("RU-4", "RUS", "2026-02-28", IN_FORCE, True, ReasonCode.OWN_PARTY),        # last valid day
    ("RU-4", "RUS", "2026-03-01", IN_FORCE, False, ReasonCode.EXPIRED),         # expiry day
    ("RU-4", "ARM", "2022-01-01", IN_FORCE, False, ReasonCode.PARTY_NOT_IN_FORCE),
    ("RU-4", "UZB", "2022-01-01", IN_FORCE, False, ReasonCode.PARTY_NOT_IN_FORCE),
    ("RU-4", "BLR", "2022-01-01", IN_FORCE, False, ReasonCode.NO_ARRANGEMENT),
    ("RU-2", "KAZ", "2022-01-01", IN_FORCE, False, ReasonCode.LEVEL_ABOVE_CAP),  # refuse
    ("RU-FW", "KAZ", "2022-01-01", IN_FORCE, False, ReasonCode.DOCUMENT_NOT_COVERED),
    ("RU-WD", "KAZ", "2022-01-31", IN_FORCE, True, ReasonCode.RECOGNISED),
    ("RU-WD", "KAZ", "2022-02-01", IN_FORCE, False, ReasonCode.WITHDRAWN),      # withdrawal day
    ("RU-EXP", "RUS", "2022-02-01", IN_FORCE, False, ReasonCode.EXPIRED),       # early expiry
    ("KZ-EAL4", "RUS", "2020-12-31", IN_FORCE, False,
     ReasonCode.ARRANGEMENT_NOT_YET_IN_FORCE),                                  # day before start
    ("KZ-EAL4", "RUS", "2021-01-01", IN_FORCE, True, ReasonCode.RECOGNISED),    # start: limited
    ("KZ-CPP", "RUS", "2022-01-01", IN_FORCE, True, ReasonCode.RECOGNISED),     # no cap
    ("BY-SC", "KAZ", "2021-06-01", IN_FORCE, True, ReasonCode.RECOGNISED),      # domain cap
    ("BY-EAL6", "KAZ", "2021-06-01", IN_FORCE, False, ReasonCode.LEVEL_ABOVE_CAP),
    ("BY-SC", "KAZ", "2022-05-31", BLR_WITHDRAWING, True, ReasonCode.RECOGNISED),
    ("BY-SC", "KAZ", "2022-06-01", BLR_WITHDRAWN, False,
     ReasonCode.ISSUING_PARTY_NOT_IN_FORCE),                                    # withdrawal day
    ("BY-SC", "BLR", "2022-06-01", BLR_WITHDRAWN, True, ReasonCode.OWN_PARTY),
    ("RU-4", "BLR", "2022-06-01", BLR_WITHDRAWN, False, ReasonCode.PARTY_NOT_IN_FORCE),
    ("BY-SC", "KAZ", "2024-12-31", IN_FORCE, True, ReasonCode.RECOGNISED),      # last day
    ("BY-SC", "KAZ", "2025-01-01", IN_FORCE, False, ReasonCode.ARRANGEMENT_ENDED),  # end day
]


def certificate(key: str) -> Certificate:
    raw, events = CERTS[key]
    return build(raw, *events)


@pytest.mark.parametrize(
    ("key", "party", "on", "states", "valid", "decisive"),
    [pytest.param(*row, id=f"{row[0]}-in-{row[1]}-on-{row[2]}-{row[5].value}") for row in TABLE])
def test_the_verification_rule(key: str, party: str, on: str, states: dict, valid: bool,
                               decisive: ReasonCode) -> None:
    cert = certificate(key)
    verdict = verify(cert, schemes()[cert.scheme], party, date.fromisoformat(on),
                     arrangements(), states)
    assert verdict.valid is valid
    codes = [r.code for r in verdict.reasons]
    assert codes[0] is ReasonCode.ISSUED
    assert decisive in codes
    assert verdict.reasons[-1].ok is valid or decisive is ReasonCode.NOT_YET_ISSUED
    assert all(r.article for r in verdict.reasons)
    assert all(r.article.startswith(("Art. 2", "Art. 3", "Art. 13")) for r in verdict.reasons)


def test_the_table_covers_every_reason() -> None:
    assert {row[5] for row in TABLE} | {ReasonCode.ISSUED, ReasonCode.VALID_ON} == set(ReasonCode)


def test_a_ccra_style_arrangement_recognises_at_the_cap_and_keeps_only_flr() -> None:
    cert = certificate("KZ-EAL4")
    verdict = verify(cert, schemes()["KZ-CC"], "RUS", date(2022, 1, 1), arrangements(), IN_FORCE)
    assert verdict.arrangement == "RUS-KZ"
    assert [(r.document, r.level, r.augmentations) for r in verdict.recognised] == [
        ("CC-3.1", "EAL2", ("ALC_FLR.2",))]
    recognised = verdict.reasons[-1]
    assert "up to: CC-3.1 EAL2 + ALC_FLR.2." in recognised.text
    assert recognised.article == "Art. 3 (direction 14)"


def test_reasons_name_the_dates_that_decided() -> None:
    cert = certificate("RU-4")
    verdict = verify(cert, schemes()["RU-FSTEC"], "KAZ", date(2023, 5, 20), arrangements(),
                     IN_FORCE)
    suspended = verdict.reasons[-1]
    assert suspended.on == date(2023, 5, 10)
    assert suspended.text == "Suspended on 2023-05-10 until 2023-06-01, when it was reinstated."
    aged = verify(cert, schemes()["RU-FSTEC"], "KAZ", date(2025, 1, 1), arrangements(), IN_FORCE)
    assert aged.reasons[-1].on == date(2024, 3, 1)
    assert "36 months" in aged.reasons[-1].text

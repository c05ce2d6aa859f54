"""A certificate's state is derived by replaying its events (Art. 2; Art. 3 direction 14): the
lifecycle's refusals, and a property test against a day-by-day simulation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kelisim.domain.certification.codec import certificate_from_json, certificate_to_json
from kelisim.domain.certification.lifecycle import (
    Certificate,
    CertificateEvent,
    CertState,
    EventKind,
    issue_fields,
    replay,
)
from kelisim.domain.errors import InvalidInput, KelisimError, RuleViolation
from tests.certification_data import build, certificate_json, schemes

BASE = certificate_json("RU-1", "RU-FSTEC", document="FSTEC-UD", level="4",
                        issued="2021-03-01", expires="2026-03-01")


@pytest.mark.parametrize(
    ("events", "says"),
    [
        pytest.param([("suspended", {"on": "2021-02-28"})], "first event is its issue",
                     id="an-event-before-the-issue-day"),
        pytest.param([("reinstated", {"on": "2022-01-01"})], "only a suspended",
                     id="reinstating-a-valid-certificate"),
        pytest.param([("suspended", {"on": "2022-01-01"}), ("suspended", {"on": "2022-02-01"})],
                     "only a valid certificate", id="suspending-twice"),
        pytest.param([("withdrawn", {"on": "2022-01-01"}), ("reinstated", {"on": "2022-02-01"})],
                     "withdrawn on 2022-02-01", id="anything-after-withdrawal"),
        pytest.param([("maintenance", {"on": "2026-03-01", "version": "2.0"})],
                     "expired on 2026-03-01", id="maintenance-on-the-expiry-day"),
        pytest.param([("amended", {"on": "2022-01-01", "changes": {"expires_on": "2021-12-31"}})],
                     "new expiry date must come after", id="amending-the-expiry-into-the-past"),
    ],
)
def test_the_lifecycle_refuses(events: list, says: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        build(BASE, *events)
    assert says in refused.value.reason
    assert refused.value.article == "Art. 3 (direction 14)"


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        pytest.param({"expires_on": "2021-03-01"}, "expires_on", "must come after the issue",
                     id="expiry-on-the-issue-day"),
        pytest.param({"expires_on": "2020-01-01"}, "expires_on", "must come after the issue",
                     id="expiry-before-issue"),
        pytest.param({"requirements": [{"document": "FSTEC-UD", "level": "7"}]},
                     "requirements", "not on the scale", id="level-outside-the-scale"),
        pytest.param({"requirements": [{"document": "ISO-9999", "level": "1"}]},
                     "requirements", "certifies against no document", id="unknown-document"),
        pytest.param({"category": "toaster"}, "category", "Unknown category",
                     id="unknown-category"),
        pytest.param({"product": " "}, "product", "required", id="no-product"),
        pytest.param({"issued_on": "01/03/2021"}, "issued_on", "YYYY-MM-DD", id="bad-date"),
    ],
)
def test_an_issue_that_the_scheme_cannot_certify_is_refused(changes: dict, field: str,
                                                            says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        issue_fields({**BASE, **changes}, schemes()["RU-FSTEC"])
    assert refused.value.details["field"] == field
    assert says in refused.value.reason


def test_maintenance_covers_a_new_version_and_moves_the_assurance_base() -> None:
    cert = build(BASE, ("maintenance", {"on": "2023-01-10", "version": "1.1",
                                        "title": "Minor update"}))
    assert cert.versions() == ("1.0", "1.1")
    assert cert.assurance_base() == date(2023, 1, 10)
    assert certificate_from_json(certificate_to_json(cert)) == cert


def test_an_amendment_extends_the_expiry_and_the_periods_follow() -> None:
    cert = build(BASE, ("amended", {"on": "2024-01-01",
                                    "changes": {"expires_on": "2027-03-01", "vendor": "New"}}))
    assert cert.vendor == "New"
    last = cert.periods[-1]
    assert (last.state, last.start) == (CertState.EXPIRED, date(2027, 3, 1))


# --- property: the periods equal a day-by-day simulation of the events -----------------------

ISSUED = date(2021, 3, 1)
KINDS = [EventKind.SUSPENDED, EventKind.REINSTATED, EventKind.WITHDRAWN, EventKind.EXPIRED,
         EventKind.MAINTENANCE, EventKind.AMENDED]
TARGET = {EventKind.SUSPENDED: CertState.SUSPENDED, EventKind.REINSTATED: CertState.VALID,
          EventKind.WITHDRAWN: CertState.WITHDRAWN, EventKind.EXPIRED: CertState.EXPIRED}


def simulate(cert: Certificate, events: list[CertificateEvent], day: date) -> CertState | None:
    """The state on `day`, walking the accepted events one by one (no periods, no merging)."""
    if day < cert.issued_on:
        return None
    state = CertState.VALID
    for event in sorted(events, key=lambda e: (e.on, e.seq)):
        if event.on <= day and event.kind in TARGET:
            state = TARGET[event.kind]
    if state in (CertState.WITHDRAWN, CertState.EXPIRED):
        return state
    return CertState.EXPIRED if day >= cert.expires_on else state


event_strategy = st.tuples(st.sampled_from(KINDS), st.integers(0, 420), st.integers(1, 500))


@settings(max_examples=150, deadline=None)
@given(lifetime=st.integers(1, 400), proposed=st.lists(event_strategy, max_size=12))
def test_replayed_periods_equal_a_day_by_day_simulation(lifetime: int,
                                                        proposed: list[tuple]) -> None:
    scheme = schemes()["RU-FSTEC"]
    issue = issue_fields({**BASE, "issued_on": ISSUED.isoformat(),
                          "expires_on": (ISSUED + timedelta(lifetime)).isoformat()}, scheme)
    accepted = [CertificateEvent(1, EventKind.ISSUED, "RU-1", ISSUED, issue)]
    cert = replay(accepted, "RUS")
    for seq, (kind, offset, extend) in enumerate(proposed, 2):
        on = ISSUED + timedelta(offset)
        data = ({"changes": {"expires_on": (on + timedelta(extend)).isoformat()}}
                if kind is EventKind.AMENDED else {})
        candidate = CertificateEvent(seq, kind, "RU-1", on, data)
        try:
            cert = replay([*accepted, candidate], "RUS")
        except KelisimError:
            continue
        accepted.append(candidate)
    assert cert == replay(list(reversed(accepted)), "RUS")  # order of the list is irrelevant
    for offset in range(-2, 925, 3):
        day = ISSUED + timedelta(offset)
        period = cert.state_on(day)
        assert (period.state if period else None) == simulate(cert, accepted, day), day
    starts = [p.start for p in cert.periods]
    assert starts == sorted(set(starts))
    assert all(a.end == b.start for a, b in zip(cert.periods, cert.periods[1:], strict=False))

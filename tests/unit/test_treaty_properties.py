"""Properties of the depositary's record that must hold for any history (issue 3, "Done means").

Histories are drawn from a small alphabet of states (signatories, non-signatory CIS states,
Georgia after it left the CIS, a code that is no CIS state) and of dates (around the interesting
month ends and leap days), so that same-day receipts, ties and boundary dates are common.

1. The status on a date D is a function of the entries received (or, for signatures, dated) on or
   before D: the whole record and the record cut at D give the same status on D.
2. As D increases, a state moves only along the transitions the Agreement allows.
3. Whatever is fed to it, the domain refuses with a kelisim error and never crashes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kelisim.domain import calendar
from kelisim.domain.errors import KelisimError
from kelisim.domain.instruments import RecordedEntry, parse_instrument
from kelisim.domain.states import is_cis_state
from kelisim.domain.treaty import (
    EffectiveEntry,
    PartyState,
    replay,
    resolve_corrections,
    status_on,
)

RECORDED_AT = datetime(2020, 1, 1, tzinfo=UTC)
START = date(2013, 11, 18)             # two days before the signing date: some are refused
PARTIES = ["KAZ", "RUS", "BLR", "ARM", "UZB", "TJK", "GEO", "XXA"]
LANDMARKS = [date(2014, 8, 31), date(2015, 2, 28), date(2015, 8, 31), date(2016, 2, 29),
             date(2015, 12, 31), date(2016, 6, 30), date(2014, 3, 1), date(2014, 3, 31)]
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])

dates = st.one_of(st.integers(0, 1500).map(lambda n: START + timedelta(days=n)),
                  st.sampled_from(LANDMARKS))
bodies = st.one_of(st.none(), st.just([]), st.sampled_from(
    [[{"name": "Ministry A"}], [{"name": "Agency B"}], ["Committee C"]]))


@st.composite
def instrument(draw: st.DrawFn, early: bool = False, late: bool = False) -> dict[str, Any]:
    """Any instrument; `early` favours signatures, `late` the acts of an Agreement in force."""
    party = draw(st.sampled_from(PARTIES))
    day = draw(dates).isoformat()
    kinds = ["signature"] * (4 if early else 1) + ["notification"] * (0 if late else 2) + [
        "accession", "authorized_bodies_change", "withdrawal_notice"] * (2 if late else 1)
    kind = draw(st.sampled_from(kinds))
    if kind == "signature":
        signed = date(2013, 11, 20) + timedelta(days=draw(st.integers(-1, 200)))
        return {"kind": kind, "party": party, "date": signed.isoformat()}
    if kind in ("notification", "accession"):
        return {"kind": kind, "party": party, "received": day,
                "authorized_bodies": draw(bodies)}
    if kind == "authorized_bodies_change":
        changed = date.fromisoformat(day) + timedelta(days=draw(st.integers(-60, 20)))
        return {"kind": kind, "party": party, "changed": changed.isoformat(), "received": day,
                "authorized_bodies": draw(bodies.filter(bool))}
    stated = draw(st.one_of(st.none(), st.integers(150, 400).map(
        lambda n: (date.fromisoformat(day) + timedelta(days=n)).isoformat())))
    return {"kind": kind, "party": party, "received": day, "withdrawal_date": stated}


@st.composite
def correction(draw: st.DrawFn, upto: int) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "correction", "supersedes": draw(st.integers(1, upto + 2))}
    if draw(st.booleans()):
        body["void"] = True
        return body
    field = draw(st.sampled_from(["received", "date", "changed", "withdrawal_date", "party",
                                  "authorized_bodies"]))
    if field == "party":
        body[field] = draw(st.sampled_from(PARTIES))
    elif field == "authorized_bodies":
        body[field] = draw(bodies)
    else:
        body[field] = draw(st.one_of(st.none(), dates.map(date.isoformat)))
    return body


@st.composite
def raw_history(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Anything: lawful or not, with corrections aimed at any id (even unknown ones)."""
    items: list[dict[str, Any]] = draw(st.lists(instrument(early=True), max_size=6))
    for _ in range(draw(st.integers(0, 14))):
        if draw(st.integers(0, 5)) == 0:
            items.append(draw(correction(len(items))))
        else:
            items.append(draw(instrument()))
    return items


def to_entries(history: list[dict[str, Any]]) -> list[RecordedEntry]:
    return [RecordedEntry(i, parse_instrument(body), RECORDED_AT)
            for i, body in enumerate(history, start=1)]


@st.composite
def lawful_history(draw: st.DrawFn) -> list[EffectiveEntry]:
    """A random history with every entry the domain refuses left out, as the depositary's service
    would leave it out: each candidate is kept only if the record with it still replays."""
    kept: list[RecordedEntry] = []
    signatories = draw(st.lists(st.sampled_from(PARTIES[:6]), min_size=3, max_size=5,
                                unique=True))
    candidates = [{"kind": "signature", "party": p, "date": "2013-11-20"} for p in signatories]
    for party in draw(st.permutations(signatories)):
        received = START + timedelta(days=draw(st.integers(0, 700)))
        candidates.append({"kind": "notification", "party": party,
                           "received": received.isoformat(), "authorized_bodies": draw(bodies)})
    candidates += draw(st.lists(instrument(late=True), min_size=3, max_size=12))
    for body in candidates:
        entry = RecordedEntry(len(kept) + 1, parse_instrument(body), RECORDED_AT)
        try:
            replay(resolve_corrections([*kept, entry]), is_cis_state)
        except KelisimError:
            continue
        kept.append(entry)
    return resolve_corrections(kept)


def critical_dates(effective: list[EffectiveEntry]) -> list[date]:
    """Every date on which some state can change: receipts, dates of effect, withdrawals."""
    found: set[date] = set()
    for entry in effective:
        item = entry.instrument
        found.add(item.event_date)
        found.add(calendar.days_after(item.event_date, calendar.ENTRY_INTO_FORCE_DELAY_DAYS))
        for name in ("changed", "withdrawal_date"):
            if getattr(item, name, None) is not None:
                found.add(getattr(item, name))
        if item.kind == "withdrawal_notice":
            found.add(calendar.months_after(item.received, calendar.WITHDRAWAL_NOTICE_MONTHS))
    record, _ = replay(effective, is_cis_state)
    if record.entry_into_force is not None:
        found.add(record.entry_into_force)
    return sorted(found)


def outcome(effective: list[EffectiveEntry], on: date) -> Any:
    try:
        return status_on(effective, on, PARTIES, is_cis_state)
    except KelisimError as refusal:
        return (type(refusal), refusal.details.get("entry"))


# -- property 1 -----------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(lawful_history(), st.data())
def test_the_status_on_a_date_depends_only_on_entries_received_by_then(
        effective: list[EffectiveEntry], data: st.DataObject) -> None:
    candidates = critical_dates(effective) or [START]
    on = data.draw(st.one_of(st.sampled_from(candidates), dates))
    for day in (on - timedelta(days=1), on):
        earlier = [e for e in effective if e.instrument.event_date <= day]
        assert status_on(effective, day, PARTIES, is_cis_state) == status_on(
            earlier, day, PARTIES, is_cis_state)


@PROPERTY_SETTINGS
@given(raw_history(), dates)
def test_the_status_on_a_date_ignores_even_unlawful_later_entries(
        history: list[dict[str, Any]], on: date) -> None:
    """The same holds for any record: a later entry, lawful or not, cannot change the past."""
    try:
        effective = resolve_corrections(to_entries(history))
    except KelisimError:
        return
    earlier = [e for e in effective if e.instrument.event_date <= on]
    assert outcome(effective, on) == outcome(earlier, on)


# -- property 2 -----------------------------------------------------------------------------------

S = PartyState
PASSAGE_OF_TIME = {S.PENDING: S.IN_FORCE, S.WITHDRAWING: S.WITHDRAWN}
"""What the calendar alone does: a date of effect or a withdrawal date arrives."""
RECEIPT = {
    S.NOT_PARTY: {S.SIGNATORY, S.PENDING},     # signs (Art. 13), or accedes (Art. 14)
    S.SIGNATORY: {S.PENDING},                  # notifies (Art. 13)
    S.WITHDRAWN: {S.PENDING},                  # accedes again (Art. 14)
    S.PENDING: {S.WITHDRAWING},                # gives notice (Art. 15)
    S.IN_FORCE: {S.WITHDRAWING},
}
"""What an instrument received (or a signature dated) that day does."""


def reachable_in_one_day(start: PartyState) -> set[PartyState]:
    """At the turn of a day the calendar may move a state once; then any instruments received
    that day move it along RECEIPT (sign, notify and give notice may all fall on one day)."""
    frontier = {start, PASSAGE_OF_TIME.get(start, start)}
    reached = set(frontier)
    while frontier:
        frontier = {nxt for s in frontier for nxt in RECEIPT.get(s, ())} - reached
        reached |= frontier
    return reached


def test_the_allowed_transitions_exclude_going_back() -> None:
    assert S.NOT_PARTY not in reachable_in_one_day(S.SIGNATORY)
    assert S.IN_FORCE not in reachable_in_one_day(S.SIGNATORY)
    assert S.IN_FORCE not in reachable_in_one_day(S.WITHDRAWN)
    assert S.WITHDRAWN not in reachable_in_one_day(S.IN_FORCE)
    assert S.PENDING not in reachable_in_one_day(S.IN_FORCE)


@PROPERTY_SETTINGS
@given(lawful_history())
def test_states_move_only_along_allowed_transitions(effective: list[EffectiveEntry]) -> None:
    for day in critical_dates(effective):
        before = status_on(effective, day - timedelta(days=1), PARTIES, is_cis_state)
        after = status_on(effective, day, PARTIES, is_cis_state)
        for old, new in zip(before.parties, after.parties, strict=True):
            assert new.state in reachable_in_one_day(old.state), (new.party, day, old, new)
            check_dates_agree_with_state(new, day)


def check_dates_agree_with_state(party: Any, on: date) -> None:
    if party.state is S.IN_FORCE:
        assert party.in_force_from is not None and party.in_force_from <= on
    if party.state is S.PENDING and party.in_force_from is not None:
        assert party.in_force_from > on
    if party.state is S.WITHDRAWING:
        assert party.withdrawal_effective is not None and party.withdrawal_effective > on
    if party.state is S.WITHDRAWN:
        assert party.withdrawal_effective is not None and party.withdrawal_effective <= on
    if party.state in (S.NOT_PARTY, S.SIGNATORY, S.WITHDRAWN):
        assert party.authorized_bodies == ()


# -- property 3 -----------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(raw_history(), dates)
def test_replay_refuses_only_with_kelisim_errors(history: list[dict[str, Any]],
                                                 on: date) -> None:
    try:
        effective = resolve_corrections(to_entries(history))
        replay(effective, is_cis_state)
    except KelisimError as refusal:
        assert refusal.reason
        return
    status_on(effective, on, PARTIES, is_cis_state)

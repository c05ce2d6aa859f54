"""A project's snapshot is a cache of its fold (docs/decisions/0015-workspace.md, "Snapshots"):
restored from JSON at any point of any history and advanced by the events after it, it gives the
same project as folding every event, whatever the Parties' withdrawal dates (Art. 15)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kelisim.domain.workspace import costs as cost_rules
from kelisim.domain.workspace.project import Event, EventKind, advance, cost_of, fold, view
from kelisim.domain.workspace.project_snapshot import VERSION, restore, snapshot

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PARTIES = ["KAZ", "RUS", "BLR", "KGZ", "TJK"]

ACTIONS = st.sampled_from(["join", "stage", "deadline", "consent", "complete", "cost",
                           "shares", "shares_consent"])


def history(actions: list[tuple[str, int]]) -> list[Event]:
    """A project's events from a list of (action, number): each action made valid for the
    state so far (a stage acted on exists; a Party joins once)."""
    events: list[Event] = []
    stages: list[str] = []
    joined = ["KAZ"]
    revisions = {"shares": 0}

    def add(kind: EventKind, party: str, body: dict[str, Any]) -> None:
        n = len(events) + 1
        events.append(Event(id=f"e{n}", record_id="p1", position=n, kind=kind,
                            origin_party=party, actor_account=n, actor_name=f"{party} analyst",
                            at=START + timedelta(days=n * 3, minutes=n), body=body))

    add(EventKind.PROPOSED, "KAZ", {"kind": "project", "title": "Catalogue", "goals": "g",
                                    "directions": [1, 9]})
    for action, number in actions:
        party = joined[number % len(joined)]
        if action == "join" and len(joined) < len(PARTIES):
            joined.append(PARTIES[len(joined)])
            add(EventKind.JOINED, joined[-1], {})
        elif action == "stage":
            stages.append(f"s{len(stages) + 1}")
            add(EventKind.STAGE_ADDED, "KAZ", {"stage_id": stages[-1], "title": "Stage",
                                               "deliverables": ["act"],
                                               "deadline": f"2027-0{1 + number % 9}-01"})
        elif action in ("deadline", "consent", "complete") and stages:
            stage = stages[number % len(stages)]
            if action == "deadline":
                add(EventKind.DEADLINE_CHANGED, "KAZ", {"stage_id": stage,
                                                        "deadline": "2027-12-01"})
            elif action == "consent":
                add(EventKind.DEADLINE_CONSENTED, party, {"stage_id": stage,
                                                          "revision": 1 + number % 2})
            else:
                add(EventKind.STAGE_COMPLETED, "KAZ", {"stage_id": stage})
        elif action == "cost":
            add(EventKind.COST_RECORDED, party, {
                "cost_id": f"c{len(events)}", "amount": f"{number}.25",
                "currency": "KZT" if number % 3 else "RUB",
                "stage_id": stages[0] if stages and number % 2 else None,
                "description": "travel"})
        elif action == "shares":
            revisions["shares"] += 1
            add(EventKind.SHARES_PROPOSED, "KAZ", {"shares": {p: str(1 / len(joined))[:6]
                                                              for p in joined}})
        elif action == "shares_consent" and revisions["shares"]:
            add(EventKind.SHARES_CONSENTED, party, {"revision": revisions["shares"]})
    return events


WITHDRAWALS = st.dictionaries(st.sampled_from(PARTIES), st.lists(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 1, 1)), max_size=2), max_size=3)


@settings(max_examples=200, deadline=None)
@given(actions=st.lists(st.tuples(ACTIONS, st.integers(0, 50)), max_size=40),
       cut=st.integers(1, 41), withdrawals=WITHDRAWALS, day=st.integers(0, 800))
def test_a_snapshot_advanced_by_the_later_events_is_the_full_fold(
        actions: list[tuple[str, int]], cut: int, withdrawals: dict[str, list[date]],
        day: int) -> None:
    events = history(actions)
    cut = min(cut, len(events))
    kept = json.loads(json.dumps(snapshot(fold(events[:cut], {}))))  # as the database keeps it
    restored = restore(kept, withdrawals)
    assert restored is not None and restored.last_position == cut
    advanced = advance(restored, events[cut:], withdrawals)
    whole = fold(events, withdrawals)
    assert advanced == whole
    today = date(2026, 1, 1) + timedelta(days=day)
    assert view(advanced, today) == view(whole, today)


@settings(max_examples=100, deadline=None)
@given(actions=st.lists(st.tuples(ACTIONS, st.integers(0, 50)), max_size=40),
       cut=st.integers(1, 41), start=st.integers(0, 12), size=st.integers(0, 12),
       day=st.integers(0, 800))
def test_the_kept_totals_are_the_sums_of_every_cost_whatever_page_is_listed(
        actions: list[tuple[str, int]], cut: int, start: int, size: int, day: int) -> None:
    events = history(actions)
    cut = min(cut, len(events))
    kept = json.loads(json.dumps(snapshot(fold(events[:cut], {}))))
    assert "costs" not in kept  # a snapshot holds the totals, never the costs (Art. 7)
    restored = restore(kept, {})
    assert restored is not None
    project = advance(restored, events[cut:], {})
    every = [cost_of(e) for e in events if e.kind is EventKind.COST_RECORDED]
    assert [c.position for c in every] == sorted({c.position for c in every})  # the keyset
    today = date(2026, 1, 1) + timedelta(days=day)
    page = every[start:start + size]
    seen = view(project, today, page)["costs"]
    assert [c["id"] for c in seen["recorded"]] == [c.id for c in page]
    full = view(fold(events, {}), today, every)["costs"]
    assert {k: v for k, v in seen.items() if k != "recorded"} == \
        {k: v for k, v in full.items() if k != "recorded"}
    shares = project.shares if full["arrangement"] == "agreed_shares" else None
    assert full["recorded_count"] == len(every)  # the running totals are the costs' sums
    assert full["totals_by_party"] == {p: {c: str(v) for c, v in row.items()} for p, row in
                                       cost_rules.totals(every).items()}
    assert full["totals_by_currency"] == {c: str(v) for c, v in
                                          cost_rules.per_currency(every).items()}
    assert full["borne_by_party"] == {p: {c: str(v) for c, v in row.items()} for p, row in
                                      cost_rules.borne(every, shares).items()}


def test_a_snapshot_of_another_version_or_none_is_not_used() -> None:
    kept = snapshot(fold(history([("join", 1), ("cost", 3)]), {}))
    assert restore({**kept, "v": VERSION + 1}, {}) is None
    assert restore(None, {}) is None and restore({}, {}) is None

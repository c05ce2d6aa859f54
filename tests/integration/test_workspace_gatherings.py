"""Training, conferences and meetings on both databases (issue 15 item 8; Art. 3 directions
17-19, Art. 9): announce, register each Party's participants, withdraw, reschedule, materials,
cancel; the rules as a table; the iCalendar calendar parsed back with `icalendar`, over HTTP with
a token and at an account's private address."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import icalendar
import pytest

from kelisim.domain.errors import InvalidInput, PermissionDenied, RuleViolation
from kelisim.services import accounts
from kelisim.services.workspace import gatherings as gather
from tests.conftest import TODAY, LiveServer, Node
from tests.exchange_support import Exchange, setup_exchange

STARTS = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def announce(ex: Exchange, who: str = "kz", **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "training", "title": "Incident handling course", "starts": STARTS,
        "ends": STARTS + timedelta(days=2), "registration_until": date(2026, 12, 5),
        "languages": ["ru", "kk"], "directions": [17], "place": "Astana",
        "places_per_party": 2, **changes}
    return gather.announce(ex.node.runtime, ex.principals[who], **fields)


@pytest.mark.parametrize(("who", "changes", "refusal"), [
    ("kz", {}, None),
    ("ru", {"kind": "conference", "online": True, "place": ""}, None),
    ("am", {}, RuleViolation),  # ARM is not bound by the Agreement in this history
    ("kz_reader", {}, PermissionDenied),  # a reader does not act in the workspace
    ("kz", {"kind": "party"}, InvalidInput),
    ("kz", {"starts": TODAY - timedelta(hours=1)}, InvalidInput),  # in the past
    ("kz", {"ends": STARTS}, InvalidInput),  # ends when it starts
    ("kz", {"ends": STARTS + timedelta(days=40)}, InvalidInput),  # longer than 31 days
    ("kz", {"registration_until": date(2026, 12, 11)}, InvalidInput),  # after the first day
    ("kz", {"online": True}, InvalidInput),  # a place and online
    ("kz", {"languages": ["de"]}, InvalidInput),
    ("kz", {"directions": [20]}, InvalidInput),
    ("kz", {"starts": datetime(2026, 12, 10, 9, 0)}, InvalidInput),  # no time zone
])
def test_who_announces_what(ex: Exchange, who: str, changes: dict[str, Any],
                            refusal: type[Exception] | None) -> None:
    if refusal is None:
        made = announce(ex, who, **changes)
        assert made["organizer"] == ex.principals[who].party and made["sequence"] == 0
        assert made["registration_open"]
    else:
        with pytest.raises(refusal):
            announce(ex, who, **changes)


def test_registration_from_open_to_closed(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    gid = announce(ex)["id"]
    two = [{"name": "A. Ivanov", "role": "analyst"}, {"name": "B. Petrov"}]
    shown = gather.register(rt, p["ru"], gid, two)
    assert shown["registrations"] == {"RUS": [{"name": "A. Ivanov", "role": "analyst"},
                                              {"name": "B. Petrov", "role": ""}]}
    with pytest.raises(InvalidInput, match="1 to 2"):
        gather.register(rt, p["by"], gid, [{"name": n} for n in "xyz"])  # 2 places a Party
    gather.register(rt, p["ru"], gid, [{"name": "C. Sidorov"}])  # replaces RUS's list
    gather.register(rt, p["by"], gid, [{"name": "D. Kuzmich"}])
    shown = gather.withdraw(rt, p["by"], gid)
    assert shown["registrations"] == {"RUS": [{"name": "C. Sidorov", "role": ""}]}
    with pytest.raises(RuleViolation, match="no registration"):
        gather.withdraw(rt, p["by"], gid)
    with pytest.raises(RuleViolation):
        gather.register(rt, p["am"], gid, [{"name": "E"}])  # ARM is not bound
    ex.node.clock.now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)  # the day after the deadline
    with pytest.raises(RuleViolation, match="Registration closed on 2026-12-05"):
        gather.register(rt, p["by"], gid, [{"name": "D. Kuzmich"}])
    assert not gather.show(rt, p["by"], gid)["registration_open"]
    kinds = [e["kind"] for e in gather.history(rt, p["kz"], gid)]
    assert kinds == ["gathering_announced", "gathering_registered", "gathering_registered",
                     "gathering_registered", "gathering_withdrawn"]


def test_only_the_organizer_changes_it_and_calendars_follow(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    gid = announce(ex)["id"]
    with pytest.raises(PermissionDenied, match="organizing Party"):
        gather.cancel(rt, p["ru"], gid, "no")
    later = STARTS + timedelta(days=7)
    shown = gather.reschedule(rt, p["kz"], gid, starts=later, ends=later + timedelta(hours=8),
                              registration_until=date(2026, 12, 12), online=True)
    assert shown["sequence"] == 1 and shown["online"] and shown["place"] is None
    gather.add_material(rt, p["kz"], gid, title="Syllabus", url="https://example.org/s.pdf")
    with pytest.raises(InvalidInput):
        gather.add_material(rt, p["kz"], gid, title="Script", url="javascript:alert(1)")
    other = announce(ex, title="Conference on CERT cooperation", kind="conference")["id"]
    gather.cancel(rt, p["kz"], other, "postponed to 2027")
    with pytest.raises(RuleViolation, match="cancelled"):
        gather.register(rt, p["ru"], other, [{"name": "A"}])

    found = gather.all_gatherings(rt, p["by"])
    from kelisim.services.workspace.calendar_feed import calendar
    parsed = icalendar.Calendar.from_ical(calendar(found, base_url="https://kz.example/",
                                                   now=rt.clock()))
    events = {str(e["uid"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {f"{gid}@kelisim", f"{other}@kelisim"}
    moved = events[f"{gid}@kelisim"]
    assert moved.decoded("dtstart") == later and int(moved["sequence"]) == 1
    assert str(moved["location"]) == "online" and str(moved["status"]) == "CONFIRMED"
    assert str(moved["url"]) == f"https://kz.example/workspace/gatherings/{gid}"
    cancelled = events[f"{other}@kelisim"]
    assert str(cancelled["status"]) == "CANCELLED" and int(cancelled["sequence"]) == 1
    assert "Art. 3 directions 17" in str(cancelled["description"])


def test_the_calendar_over_http_with_a_token_and_at_a_private_address(
        live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    gid = announce(ex)["id"]
    base = f"{live_server.base_url}/api/v1/workspace"
    ru = {"Authorization": f"Bearer {ex.tokens['ru']}"}
    with httpx.Client(timeout=10) as http:
        made = http.post(f"{base}/gatherings", headers=ru, json={
            "kind": "meeting", "title": "Exchange of experience", "directions": [19],
            "starts": "2026-12-20T10:00:00+03:00", "ends": "2026-12-20T16:00:00+03:00",
            "registration_until": "2026-12-18", "languages": ["ru"], "online": True})
        assert made.status_code == 201, made.text
        refused = http.put(f"{base}/gatherings/{gid}/registrations/mine",
                           headers={"Authorization": f"Bearer {ex.tokens['am']}"},
                           json={"participants": [{"name": "X"}]})
        assert refused.status_code == 422 and "Art. 3" in refused.json()["article"]
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert http.put(f"{base}/gatherings/{gid}/registrations/mine", headers=ru,
                        json={"participants": [{"name": "A. Ivanov"}]}).status_code == 200
        with_token = http.get(f"{base}/calendar.ics", headers=ru)
        assert with_token.status_code == 200
        assert with_token.headers["content-type"].startswith("text/calendar")
        assert len(icalendar.Calendar.from_ical(with_token.content).walk("VEVENT")) == 2
        assert http.get(f"{base}/calendar.ics").status_code == 401
        address = http.get(f"{base}/calendar", headers=ru).json()["url"]
        assert address.startswith(live_server.base_url) and ex.tokens["ru"] not in address
        subscribed = http.get(address)  # what a calendar program does: no header at all
        assert subscribed.status_code == 200 and subscribed.content == with_token.content
        forged = address.replace(".ics", "0.ics")
        assert http.get(forged).status_code == 401
        other = address.replace(f"/{ex.principals['ru'].account_id}-",
                                f"/{ex.principals['by'].account_id}-")
        assert http.get(other).status_code == 401  # the key is bound to its account
        accounts.disable_account(live_server.node.runtime,
                                 accounts.authenticate(live_server.node.runtime,
                                                       live_server.node.admin_token),
                                 str(ex.principals["ru"].account_id))
        assert http.get(address).status_code == 401  # gone with its account
        spec = http.get(f"{live_server.base_url}/api/openapi.json").json()
        assert "/api/v1/workspace/calendar/{key}.ics" in spec["paths"]


def test_a_gathering_from_the_console(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.integration.test_workspace_cli import EXAMPLE
    cli("depositary", "import", str(EXAMPLE))
    for name, party in (("kz analyst", "KAZ"), ("ru analyst", "RUS")):
        cli("accounts", "add", name, "--role", "analyst", "--party", party,
            "--organization", f"{party} body")
    code, out, _ = cli("workspace", "gathering", "announce", "CERT exercise", "--as",
                       "kz analyst", "--starts", "2030-03-01T09:00:00+05:00", "--ends",
                       "2030-03-02T18:00:00+05:00", "--registration-until", "2030-02-20",
                       "--kind", "training", "--language", "kk", "--language", "ru",
                       "--place", "Almaty")
    assert code == 0, out
    gid = json.loads(out)["id"]
    code, out, _ = cli("workspace", "gathering", "register", gid, "--as", "ru analyst",
                       "--participant", "A. Ivanov:instructor", "--participant", "B. Petrov")
    assert code == 0, out
    assert json.loads(out)["registrations"]["RUS"][0] == {"name": "A. Ivanov",
                                                           "role": "instructor"}
    code, out, _ = cli("workspace", "gathering", "calendar", "--as", "ru analyst", "--out",
                       str(tmp_path / "k.ics"))
    assert code == 0 and "1 gatherings" in out
    parsed = icalendar.Calendar.from_ical((tmp_path / "k.ics").read_bytes())
    assert [str(e["summary"]) for e in parsed.walk("VEVENT")] == ["CERT exercise"]

"""Subscriptions on both databases: saved filters matched against new object versions by the
resumable cursor pass, the inbox with reads as events, removal as an event, bad filters
refused by name, and the Art. 6 table: every reader x marking, notified (inbox, and the
deliveries for e-mail and webhooks) exactly when the reader may read the object."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from kelisim.domain.accounts import Principal
from kelisim.domain.errors import InvalidInput, NotFound, PermissionDenied
from kelisim.services.exchange import collections
from kelisim.services.exchange.worker import notify_subscribers
from kelisim.services.notifications import inbox, matching, subscriptions
from kelisim.services.notifications.subscriptions import FilterInput
from kelisim.storage.notifications_repository import NotificationsRepository
from kelisim.storage.schema import notification_cursors, notification_deliveries, notifications
from tests.art6_matrix import post_matrix, readers
from tests.conftest import Node
from tests.exchange_support import Exchange, indicator, setup_exchange
from tests.integration.test_exchange_confidentiality import post, post_to

ATTACK_REF = {"source_name": "mitre-attack", "external_id": "T1566.001"}


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def subscribe(ex: Exchange, who: str, **wanted: Any) -> dict[str, Any]:
    return subscriptions.create_subscription(
        ex.node.runtime, ex.principals[who], name=f"{who} watch", wanted=FilterInput(**wanted),
        webhook="http://127.0.0.1:9/hook")  # nothing listens: deliveries fail, and are kept


def notified(ex: Exchange, who: str) -> list[str]:
    page = inbox.read_inbox(ex.node.runtime, ex.principals[who], limit=200)
    return [n["object"]["id"] for n in page["notifications"]]


def test_new_objects_matching_a_filter_reach_the_inbox_once(ex: Exchange) -> None:
    rt = ex.node.runtime
    before = indicator("old one")
    post(ex, "kz", before)
    sub = subscribe(ex, "ru", types=("indicator",), values=("198.51.100.0/24",))
    assert sub["webhook_secret"].startswith("whsec_")
    hit = {**indicator("in the network"), "pattern": "[ipv4-addr:value = '198.51.100.7']"}
    miss = {**indicator("elsewhere"), "pattern": "[ipv4-addr:value = '203.0.113.7']"}
    sco = {"type": "ipv4-addr", "spec_version": "2.1",
           "id": "ipv4-addr--0b6a2f4e-1c3d-5e6f-8a9b-0c1d2e3f4a5b", "value": "198.51.100.8"}
    post(ex, "kz", hit, miss, sco)
    assert notify_subscribers(rt)[0] == 1
    assert notified(ex, "ru") == [hit["id"]]  # not the old one, not the other, not the SCO
    assert notify_subscribers(rt) == (0, 0)  # the webhook's port refuses: failed, not sent
    assert notified(ex, "ru") == [hit["id"]]  # the cursor moved: no second notification
    page = inbox.read_inbox(rt, ex.principals["ru"])
    assert page["unread"] == 1 and page["notifications"][0]["read"] is None
    assert "name" not in page["notifications"][0]["object"]
    assert inbox.mark_read(rt, ex.principals["ru"], [page["notifications"][0]["id"]]) == 1
    assert inbox.mark_read(rt, ex.principals["ru"], [page["notifications"][0]["id"]]) == 0
    assert inbox.read_inbox(rt, ex.principals["ru"])["unread"] == 0
    with pytest.raises(NotFound):  # another account's notification: as if there were none
        inbox.mark_read(rt, ex.principals["by"], [page["notifications"][0]["id"]])
    with pytest.raises(NotFound):
        inbox.mark_read(rt, ex.principals["ru"], ["no-such"])


def test_each_facet_of_a_filter_narrows_and_techniques_match_their_subtechniques(
        ex: Exchange) -> None:
    rt = ex.node.runtime
    subscribe(ex, "ru", technique="t1566")
    subscribe(ex, "by", producers=("KAZ",), directions=(3,),
              threat_classes=("information_terrorism",))
    phish = {**indicator("phish"), "external_references": [ATTACK_REF]}
    other = {**indicator("other"), "external_references": [
        {"source_name": "mitre-attack", "external_id": "T1059"}]}
    terror = indicator("t", directions=[3, 9], threat_class="information_terrorism")
    wrong_class = indicator("c", directions=[3])
    post(ex, "kz", phish, other, terror, wrong_class)
    post(ex, "ru", indicator("by RUS", directions=[3], threat_class="information_terrorism"))
    notify_subscribers(rt)
    assert notified(ex, "ru") == [phish["id"]]
    assert notified(ex, "by") == [terror["id"]]


def test_bad_filters_and_channels_are_refused_by_name(ex: Exchange) -> None:
    rt, ru = ex.node.runtime, ex.principals["ru"]
    cases = [({"types": ("Not A Type",)}, "types"), ({"technique": "T15"}, "technique"),
             ({"producers": ("XYZ",)}, "producers"), ({"directions": (20,)}, "directions"),
             ({"threat_classes": ("spam",)}, "threat_classes"),
             ({"values": ("   ",)}, "values")]
    for wanted, field in cases:
        with pytest.raises(InvalidInput) as refused:
            subscriptions.create_subscription(rt, ru, name="x", wanted=FilterInput(**wanted))
        assert refused.value.details["field"] == field, wanted
    with pytest.raises(InvalidInput) as refused:  # this node has no SMTP server configured
        subscriptions.create_subscription(rt, ru, name="x", wanted=FilterInput(),
                                          email="analyst@ru-cert.example")
    assert refused.value.details["field"] == "email"
    with pytest.raises(InvalidInput):
        subscriptions.create_subscription(rt, ru, name="x", wanted=FilterInput(),
                                          webhook="ftp://x.example/")
    with pytest.raises(PermissionDenied):  # ARM signed only: it reads no exchange
        subscriptions.create_subscription(rt, ex.principals["am"], name="x",
                                          wanted=FilterInput())


def test_a_removal_is_an_event_and_stops_the_notifications(ex: Exchange) -> None:
    rt = ex.node.runtime
    sub = subscribe(ex, "ru")
    assert [s["id"] for s in subscriptions.list_subscriptions(rt, ex.principals["ru"])] == [
        sub["id"]]
    assert "webhook_secret" not in subscriptions.list_subscriptions(rt, ex.principals["ru"])[0]
    with pytest.raises(NotFound):  # only its owner removes it
        subscriptions.remove_subscription(rt, ex.principals["by"], sub["id"])
    subscriptions.remove_subscription(rt, ex.principals["ru"], sub["id"])
    with pytest.raises(NotFound):
        subscriptions.remove_subscription(rt, ex.principals["ru"], sub["id"])
    assert subscriptions.list_subscriptions(rt, ex.principals["ru"]) == []
    post(ex, "kz", indicator("after"))
    notify_subscribers(rt)
    assert notified(ex, "ru") == []
    with rt.unit_of_work() as uow:  # the row is kept; the removal is a row of its own
        row = NotificationsRepository(uow.connection).subscription(sub["id"])
    assert row is not None and row["removed_at"] is not None


def test_a_disabled_account_is_told_nothing_more(ex: Exchange) -> None:
    from kelisim.services import accounts
    rt = ex.node.runtime
    subscribe(ex, "ru")
    post(ex, "kz", indicator("before"))
    notify_subscribers(rt)
    assert len(notified(ex, "ru")) == 1
    accounts.disable_account(rt, ex.admin, str(ex.principals["ru"].account_id))
    post(ex, "kz", indicator("after"))
    notify_subscribers(rt)
    with rt.unit_of_work() as uow:  # no notice and no e-mail or webhook delivery for it
        count = uow.connection.execute(select(notifications.c.id)).all()
        deliveries = uow.connection.execute(select(notification_deliveries.c.id)).all()
    assert len(count) == 1 and len(deliveries) == 1


def test_the_inbox_tables_are_append_only(ex: Exchange) -> None:
    rt = ex.node.runtime
    subscribe(ex, "ru")
    post(ex, "kz", indicator("x"))
    notify_subscribers(rt)
    for table in ("notifications", "subscriptions", "notification_deliveries",
                  "notification_attempts"):
        with pytest.raises(DBAPIError), rt.unit_of_work() as uow:
            uow.connection.execute(text(f"DELETE FROM {table}"))
    with rt.unit_of_work() as uow:
        assert len(uow.connection.execute(select(notifications.c.id)).all()) == 1


def test_the_pass_resumes_from_its_cursor(ex: Exchange) -> None:
    rt = ex.node.runtime
    subscribe(ex, "ru")
    many = [indicator(f"n{i}") for i in range(7)]
    post(ex, "kz", *many)
    old_batch = matching.BATCH
    matching.BATCH = 3
    try:
        # a pass that stops after its first batch (a crash) leaves the cursor where it was
        with rt.unit_of_work() as uow:
            cursor_rows = uow.connection.execute(select(notification_cursors).where(
                notification_cursors.c.collection_id == ex.collection_id)).all()
        assert cursor_rows == []
        assert matching._pass(rt, ex.collection_id) == (0, True)  # the cursor starts
        assert matching._pass(rt, ex.collection_id) == (3, True)
        assert len(notified(ex, "ru")) == 3
        assert matching.match_new(rt) == 4  # the rest, from the cursor
    finally:
        matching.BATCH = old_batch
    assert matching.match_new(rt) == 0
    assert sorted(notified(ex, "ru")) == sorted(o["id"] for o in many)


def test_passes_running_at_once_write_each_notification_once(ex: Exchange) -> None:
    rt = ex.node.runtime
    subscribe(ex, "ru")
    subscribe(ex, "by")
    for round_ in range(3):
        post(ex, "kz", *(indicator(f"r{round_} n{i}") for i in range(40)))
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def run(barrier: threading.Barrier = barrier,
                errors: list[BaseException] = errors) -> None:
            barrier.wait()
            try:
                matching.match_new(rt)
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
    for who in ("ru", "by"):
        got = notified(ex, who)
        assert len(got) == 120 and len(set(got)) == 120, who


def test_art6_every_reader_is_notified_exactly_of_what_it_may_read(ex: Exchange) -> None:
    rt = ex.node.runtime
    for who in ("kz", "ru", "by", "depositary"):
        subscribe(ex, who)
    _left_over_subscription(ex, ex.principals["am"])

    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return indicator(f"cell {i}", tlp=spec["tlp"], recipients=spec.get("recipients"),
                         markings=markings)

    matrix = post_matrix(ex, build)
    notify_subscribers(rt)
    posted_ids = {p.obj["id"] for p in matrix.posted}
    with rt.unit_of_work() as uow:
        deliveries = uow.connection.execute(
            select(notifications.c.account_id, notifications.c.stix_id)
            .join(notification_deliveries,
                  notification_deliveries.c.notification_id == notifications.c.id)).all()
    for who, principal, expected in readers(ex, matrix.posted):
        got = notified(ex, who)
        assert len(got) == len(set(got)), who  # once each
        if expected is None:
            assert got == [], who
            continue
        assert set(got) & posted_ids == expected, who
        assert set(got) - posted_ids <= {matrix.restricted_marking}, who
        webhook = {stix for account, stix in deliveries if account == principal.account_id}
        assert webhook == set(got), who  # each channel carries exactly the inbox's notices


def _left_over_subscription(ex: Exchange, principal: Principal) -> None:
    """A subscription made while ARM was bound (ARM withdraws in `post_matrix`): kept, and
    told nothing once ARM's withdrawal took effect."""
    rt = ex.node.runtime
    with rt.unit_of_work() as uow:
        NotificationsRepository(uow.connection).add_subscription(
            id="00000000-0000-4000-8000-00000000a4a4", account_id=principal.account_id,
            origin_party="ARM", name="left over", filter={}, language="en", email=None,
            webhook_url=None, webhook_secret=None,
            start={c.id: 0 for c in collections.list_collections(rt, ex.admin)},
            created_at=rt.clock())
        uow.commit()


def test_objects_in_a_collection_the_subscriber_cannot_read_are_not_notified(
        ex: Exchange) -> None:
    rt = ex.node.runtime
    listed = collections.create_collection(rt, ex.admin, title="KAZ only",
                                           read_parties=["KAZ"], write_parties=["KAZ"])
    subscribe(ex, "ru")
    subscribe(ex, "kz")
    inside = indicator("kaz only")
    assert post_to(ex, "kz", listed.id, inside)["success_count"] == 1
    notify_subscribers(rt)
    assert notified(ex, "ru") == [] and notified(ex, "kz") == [inside["id"]]

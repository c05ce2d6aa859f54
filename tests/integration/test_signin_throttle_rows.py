"""The sign-in throttle's rows stay bounded: a minute's worth, and never more than a cap."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kelisim.services import signin_throttle
from kelisim.storage.schema import ui_signin_attempts
from tests.conftest import Node


def rows(node: Node) -> int:
    with node.runtime.unit_of_work() as uow:
        return int(uow.connection.execute(
            select(func.count()).select_from(ui_signin_attempts)).scalar_one())


def test_attempts_older_than_the_window_are_forgotten(node: Node) -> None:
    for n in range(300):
        attempt = signin_throttle.begin_attempt(node.runtime, f"name-{n}", f"10.0.{n // 250}.{n}")
        signin_throttle.record_attempt(node.runtime, attempt, failed=True)
    assert rows(node) == 600
    node.clock.now += signin_throttle.WINDOW + timedelta(seconds=1)
    attempt = signin_throttle.begin_attempt(node.runtime, "late", "10.1.0.1")
    assert attempt.retry_after == 0
    signin_throttle.record_attempt(node.runtime, attempt, failed=True)
    assert rows(node) == 2


def test_the_table_is_capped_keeping_the_newest(node: Node) -> None:
    start = node.clock.now
    for n in range(50):
        with node.runtime.unit_of_work() as uow:
            uow.sessions.add_attempts([f"{n:064d}"], start + timedelta(milliseconds=n))
            uow.commit()
    with node.runtime.unit_of_work() as uow:
        uow.sessions.forget_attempts(start - timedelta(minutes=1), keep_at_most=10)
        uow.commit()
        kept = uow.connection.execute(select(ui_signin_attempts.c.bucket)).scalars().all()
    assert sorted(kept) == [f"{n:064d}" for n in range(40, 50)]


def test_an_ipv6_client_counts_by_its_64_network() -> None:
    one = signin_throttle.address_key("2001:db8:1:2::1")
    assert one == signin_throttle.address_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert signin_throttle.address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert signin_throttle.address_key("192.0.2.1") == "192.0.2.1"

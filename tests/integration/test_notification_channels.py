"""The notices leave kelisim for real: by e-mail to an SMTP server on loopback (aiosmtpd), in
the subscriber's language, and by webhook to an HTTP receiver on loopback that checks the
HMAC signature; each attempt is recorded, a failed one retried after its back-off. Neither
carries any content of the object: a restricted-access object's name, description and
pattern never leave (Art. 6)."""

from __future__ import annotations

import dataclasses
import email
import hmac
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from email.policy import default as default_policy
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from kelisim.domain.notifications import MAIL_BODY, MAIL_SUBJECT
from kelisim.services.exchange.worker import notify_subscribers
from kelisim.services.notifications import subscriptions
from kelisim.services.notifications.subscriptions import FilterInput
from kelisim.services.runtime import Runtime
from kelisim.storage.notifications_repository import NotificationsRepository
from kelisim.storage.schema import notification_attempts
from kelisim.web.ui.i18n import translations
from tests.art6_matrix import post_matrix, readers
from tests.conftest import Node, free_port
from tests.exchange_support import Exchange, indicator, restricted_marking, setup_exchange
from tests.integration.test_exchange_confidentiality import post

OBJECT_ID = re.compile(r"\b(?:indicator|marking-definition)--[0-9a-f-]{36}\b")
SECRET_WORDS = ("Operation Steppe Fox", "exfiltrates via", "203.0.113.66")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


class Receiver:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.paths: list[str] = []
        self.answers: list[int] = []


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
            got.paths.append(self.path)
            self.send_response(got.answers.pop(0) if got.answers else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got, f"http://127.0.0.1:{server.server_address[1]}/kelisim-hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def with_smtp(rt: Runtime, port: int) -> Runtime:
    settings = rt.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "kelisim@kz-cert.example",
        "public_url": "https://kelisim.example"})
    return dataclasses.replace(rt, settings=settings)


def secret_object(ex: Exchange) -> tuple[dict[str, Any], dict[str, Any]]:
    marking = restricted_marking("KAZ", ["BLR"])
    obj = {**indicator(SECRET_WORDS[0], markings=[marking["id"]]),
           "description": f"The group {SECRET_WORDS[1]} DNS",
           "pattern": f"[ipv4-addr:value = '{SECRET_WORDS[2]}']"}
    return marking, obj


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_mail_in_the_subscribers_language_names_the_object_only(
        ex: Exchange, smtp: tuple[Inbox, int], lang: str) -> None:
    handler, port = smtp
    rt = with_smtp(ex.node.runtime, port)
    subscriptions.create_subscription(rt, ex.principals["by"], name="BY watch",
                                      wanted=FilterInput(types=("indicator",)),
                                      email="duty@by-cert.example", language=lang)
    subscriptions.create_subscription(rt, ex.principals["ru"], name="RU watch",
                                      wanted=FilterInput(), email="duty@ru-cert.example")
    marking, obj = secret_object(ex)
    post(ex, "kz", marking, obj)
    assert notify_subscribers(rt) == (1, 1)  # BLR may read it; RUS may not, nor the marking
    [(to, message)] = handler.messages
    assert to == ["duty@by-cert.example"]
    gettext = translations(lang).gettext
    subject = gettext(MAIL_SUBJECT).format(type="indicator", name="BY watch")
    assert message["Subject"] == subject and message["Content-Language"] == lang
    if lang != "en":
        assert gettext(MAIL_SUBJECT) != MAIL_SUBJECT and gettext(MAIL_BODY) != MAIL_BODY
    body = message.get_content()
    assert obj["id"] in body and "indicator" in body
    assert f"https://kelisim.example/exchange/collections/{ex.collection_id}/objects/" \
           f"{obj['id']}" in body
    raw = message.as_string()
    for word in SECRET_WORDS:
        assert word not in raw and word not in body
    assert notify_subscribers(rt) == (0, 0)  # sent once


def test_webhook_is_signed_retried_and_carries_no_content(
        ex: Exchange, receiver: tuple[Receiver, str]) -> None:
    got, url = receiver
    rt = ex.node.runtime
    made = subscriptions.create_subscription(rt, ex.principals["by"], name="hook",
                                             wanted=FilterInput(), webhook=url)
    secret = made["webhook_secret"].encode()
    marking, obj = secret_object(ex)
    got.answers = [503]  # the receiver is down for the first attempt
    post(ex, "kz", marking, obj)
    assert notify_subscribers(rt) == (2, 1)  # the object and its marking; one attempt failed
    assert len(got.calls) == 2
    assert notify_subscribers(rt) == (0, 0)  # one failed: waits for its back-off
    ex.node.clock.now += timedelta(minutes=2)
    assert notify_subscribers(rt) == (0, 1)
    assert len(got.calls) == 3
    with rt.unit_of_work() as uow:
        statuses = sorted(r.status for r in uow.connection.execute(
            select(notification_attempts.c.status)))
    assert statuses == ["failed", "sent", "sent"]
    ids = set()
    for headers, body in got.calls:
        expected = hmac.new(secret, headers["x-kelisim-timestamp"].encode() + b"." + body,
                            sha256).hexdigest()
        assert headers["x-kelisim-signature"] == f"sha256={expected}"
        assert not hmac.compare_digest(headers["x-kelisim-signature"], "sha256=" + "0" * 64)
        sent = orjson.loads(body)
        assert sent["id"] == headers["x-kelisim-delivery"]
        ids.add(sent["object"]["id"])
        for word in SECRET_WORDS:
            assert word.encode() not in body
    assert ids == {obj["id"], marking["id"]}


def test_a_receiver_that_keeps_failing_is_abandoned_after_the_last_attempt(
        ex: Exchange, receiver: tuple[Receiver, str]) -> None:
    got, url = receiver
    rt = ex.node.runtime
    subscriptions.create_subscription(rt, ex.principals["ru"], name="hook",
                                      wanted=FilterInput(), webhook=url)
    got.answers = [500] * 10
    post(ex, "kz", indicator("x"))
    for _ in range(6):
        notify_subscribers(rt)
        ex.node.clock.now += timedelta(hours=3)
    with rt.unit_of_work() as uow:
        statuses = [r.status for r in uow.connection.execute(
            select(notification_attempts.c.status).order_by(notification_attempts.c.attempt))]
    assert statuses == ["failed"] * 4 + ["abandoned"] and len(got.calls) == 5


def test_art6_each_channel_carries_exactly_what_each_reader_may_read(
        ex: Exchange, smtp: tuple[Inbox, int], receiver: tuple[Receiver, str]) -> None:
    """The shared table once more, through the real channels: every reader x marking x
    collection, a mail and a webhook call for each object the reader may read, none other."""
    handler, port = smtp
    got, url = receiver
    rt = with_smtp(ex.node.runtime, port)
    for who in ("kz", "ru", "by", "depositary"):
        subscriptions.create_subscription(rt, ex.principals[who], name=f"{who} all",
                                          wanted=FilterInput(), email=f"{who}@duty.example",
                                          webhook=f"{url}/{who}")

    def build(name: str, i: int, spec: dict[str, Any], markings: list[str]) -> dict[str, Any]:
        return {**indicator(f"{SECRET_WORDS[0]} {i}", tlp=spec["tlp"],
                            recipients=spec.get("recipients"), markings=markings),
                "description": SECRET_WORDS[1]}

    matrix = post_matrix(ex, build)
    notify_subscribers(rt)
    posted = {p.obj["id"] for p in matrix.posted}
    mailed: dict[str, set[str]] = {}
    for to, message in handler.messages:
        assert all(word not in message.as_string() for word in SECRET_WORDS)
        mailed.setdefault(to[0].split("@")[0], set()).update(
            OBJECT_ID.findall(message.get_content()))
    hooked: dict[str, set[str]] = {}
    for path, (_, body) in zip(got.paths, got.calls, strict=True):
        assert all(word.encode() not in body for word in SECRET_WORDS)
        hooked.setdefault(path.rsplit("/", 1)[1], set()).add(orjson.loads(body)["object"]["id"])
    for who, _, expected in readers(ex, matrix.posted):
        if expected is None:  # ARM: never subscribed (it reads no exchange), nothing sent
            assert who not in mailed and who not in hooked
            continue
        for channel in (mailed, hooked):
            assert channel.get(who, set()) & posted == expected, who
            assert channel.get(who, set()) - posted <= {matrix.restricted_marking}, who
    assert len(handler.messages) == len(got.calls)


def test_a_secret_this_node_cannot_open_fails_its_delivery_only(
        ex: Exchange, receiver: tuple[Receiver, str]) -> None:
    got, url = receiver
    rt = ex.node.runtime
    good = subscriptions.create_subscription(rt, ex.principals["ru"], name="good",
                                             wanted=FilterInput(), webhook=f"{url}/good")
    with rt.unit_of_work() as uow:  # sealed under another node's key
        repo = NotificationsRepository(uow.connection)
        start = repo.subscription(good["id"])["start"]  # type: ignore[index]
        repo.add_subscription(
            id="00000000-0000-4000-8000-0000000000bd", account_id=ex.principals["by"].account_id,
            origin_party="BLR", name="moved", filter={}, language="en", email=None,
            webhook_url=f"{url}/moved", webhook_secret=b"\x00" * 40,
            start=start, created_at=rt.clock())
        uow.commit()
    post(ex, "kz", indicator("x"))
    assert notify_subscribers(rt) == (2, 1)
    assert got.paths == ["/kelisim-hook/good"]
    with rt.unit_of_work() as uow:
        details = [r.detail for r in uow.connection.execute(
            select(notification_attempts.c.detail).where(
                notification_attempts.c.status == "failed"))]
    assert details == ["the webhook's secret cannot be decrypted with this node's key"]

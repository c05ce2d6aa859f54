"""Subscriptions in a real `kelisim up` (issue 16, item 8): nobody runs the matcher by hand.
A TAXII post to the running server reaches the subscriber's webhook receiver and mailbox on
loopback by the server's own worker (woken by the intake's commit), signed and in the
subscription's language; the subscriber's inbox over HTTP lists it; and an analyst whose Party
may not read the object is told nothing."""

from __future__ import annotations

import hmac
import json
import time
from hashlib import sha256
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_crash_recovery import Node, kill, token_in
from tests.exchange_support import indicator
from tests.integration.test_notification_channels import (  # noqa: F401 (fixtures)
    Inbox,
    Receiver,
    receiver,
    smtp,
)

pytestmark = pytest.mark.slow


def until(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.2)


def test_a_post_to_the_running_server_notifies_by_every_channel(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch,
        smtp: tuple[Inbox, int], receiver: tuple[Receiver, str]) -> None:  # noqa: F811
    handler, port = smtp
    got, url = receiver
    monkeypatch.setenv("KELISIM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KELISIM_SMTP_PORT", str(port))
    node = Node(tmp_path, database_url)
    try:
        ru = token_in(node.cli("accounts", "add", "RU analyst", "--role", "analyst", "--party",
                               "RUS", "--organization", "RU-CERT").stdout)
        by = token_in(node.cli("accounts", "add", "BY analyst", "--role", "analyst", "--party",
                               "BLR", "--organization", "BY-CERT").stdout)
        made = json.loads(node.cli("subscriptions", "add", "domains", "--value", "evil.example",
                                   "--email", "duty@ru-cert.example", "--language", "ru",
                                   "--webhook", url, "--token", ru).stdout)
        node.cli("subscriptions", "add", "all", "--token", by)
        node.up()
        shared = {**indicator("C2 of the campaign"),
                  "pattern": "[domain-name:value = 'c2.evil.example']"}
        for_rus = {**indicator("Only for RUS", tlp="amber", recipients={"parties": ["RUS"]}),
                   "pattern": "[domain-name:value = 'dl.evil.example']"}
        answer = node.post(json.dumps({"objects": [shared, for_rus]}).encode())
        assert answer.status_code == 202, answer.text
        until(lambda: len(got.calls) == 2 and len(handler.messages) == 2)
        secret = made["webhook_secret"].encode()
        for headers, body in got.calls:
            assert headers["x-kelisim-signature"] == "sha256=" + hmac.new(
                secret, headers["x-kelisim-timestamp"].encode() + b"." + body,
                sha256).hexdigest()
        assert {json.loads(body)["object"]["id"] for _, body in got.calls} == {
            shared["id"], for_rus["id"]}
        for to, message in handler.messages:
            assert to == ["duty@ru-cert.example"] and message["Content-Language"] == "ru"
            assert "C2 of the campaign" not in message.as_string()
            assert "Only for RUS" not in message.as_string()

        def inbox(token: str) -> set[str]:
            page = httpx.get(f"{node.base}/api/v1/inbox", timeout=10,
                             headers={"Authorization": f"Bearer {token}"}).json()
            return {n["object"]["id"] for n in page["notifications"]}

        assert inbox(ru) == {shared["id"], for_rus["id"]}
        until(lambda: inbox(by) == {shared["id"]})
        time.sleep(1)  # and nothing more arrives for BLR
        assert inbox(by) == {shared["id"]}
    finally:
        if node.process is not None:
            kill(node.process)

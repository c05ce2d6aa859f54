"""The browser flow of issue 15 item 10: an analyst launches a communication check on its page,
the contact's mail arrives at a real SMTP server on loopback (aiosmtpd), and the link in it is
answered on the acknowledgement page over real HTTP; the check's page then shows it answered.
Both databases (the `database_url` fixture)."""

from __future__ import annotations

import dataclasses
import re

import httpx

from kelisim.web.app import create_app
from tests.conftest import LiveServer, Node, free_port, serving
from tests.integration.test_notification_channels import Inbox, smtp  # noqa: F401 (fixture)
from tests.web.test_ui_workspace import client_for
from tests.web.ui_exchange_setup import exchange_with_passwords
from tests.web.ui_session import post_form

LINK = re.compile(r"(http://\S+/workspace/checks/ack/[A-Za-z0-9_-]+)")


def test_launch_on_the_page_and_answer_from_the_mail(
        node: Node, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    handler, smtp_port = smtp
    port = free_port()
    mailing = dataclasses.replace(node.runtime, settings=node.runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp_port,
                "smtp_from": "kelisim@kz-cert.example",
                "public_url": f"http://127.0.0.1:{port}"}))
    with serving(create_app(runtime=mailing), port=port) as base_url:
        live = LiveServer(base_url, Node(mailing, node.clock, node.admin_token))
        exchange_with_passwords(live.node)
        with client_for(live, "kz") as kz, client_for(live, "ru", "ru") as ru:
            added = post_form(kz, "/workspace/contacts", "/workspace/contacts", {
                "name": "KZ duty desk", "hours": "24/7", "languages": "ru",
                "channel_kind_0": "email", "channel_value_0": "desk@kz-cert.example"})
            assert added.status_code == 303, added.text[:1000]
            launched = post_form(ru, "/workspace/checks", "/workspace/checks",
                                 {"hours": "1", "parties": "KAZ"})
            assert launched.status_code == 201, launched.text[:2000]
            assert 'data-mailed="1"' in launched.text
            assert [rcpt for rcpt, _ in handler.messages] == [["desk@kz-cert.example"]]
            mail = handler.messages[0][1]
            assert mail["Content-Language"] == "ru"
            body = mail.get_content()
            assert "KZ duty desk" not in body and "Проверка связи" in body
            found = LINK.search(body)
            assert found and found.group(1).startswith(base_url)
            with httpx.Client(timeout=10) as anyone:
                page = anyone.get(found.group(1))
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
                assert page.status_code == 200 and token
                pressed = anyone.post(found.group(1), data={"csrf_token": token.group(1)})
                assert pressed.status_code == 200 and 'id="ack-state"' in pressed.text
            report = kz.get("/workspace/checks").text
            row = report.split('id="report-KAZ"')[1].split("</tr>")[0]
            assert "1/1" in row, row

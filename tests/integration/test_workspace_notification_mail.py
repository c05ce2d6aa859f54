"""The workspace's notices by e-mail (issue 15 item 10; decision 0025), on both databases: an
account's own address and language (kept as changes of their own), a real SMTP server on
loopback (aiosmtpd); the mail is in the recipient's language, links to the record and holds
nothing of it: no title, no text, no Party; a Party a restricted document does not name gets
no mail, and a delivery is logged like the subscriptions'."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from kelisim.domain.errors import InvalidInput
from kelisim.domain.notifications import WORKSPACE_MAIL_SUBJECT, WORKSPACE_TITLES
from kelisim.services.notifications import inbox
from kelisim.services.notifications.delivery import deliver_pending
from kelisim.services.notifications.workspace_pass import notify_workspace
from kelisim.services.runtime import Runtime
from kelisim.services.workspace import documents as docs
from kelisim.services.workspace import projects as ws
from kelisim.storage.schema import notification_attempts, notification_deliveries
from kelisim.web.ui.i18n import translations
from tests.conftest import Node
from tests.exchange_support import Exchange, setup_exchange
from tests.integration.test_notification_channels import Inbox, smtp  # noqa: F401 (fixture)
from tests.integration.test_workspace_documents import project, upload
from tests.workspace_documents_support import odt

TITLE = "Restricted title Steppe Fox"


@pytest.fixture
def ex(node: Node) -> Exchange:
    return setup_exchange(node)


def mailing(rt: Runtime, port: int) -> Runtime:
    return dataclasses.replace(rt, settings=rt.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "kelisim@kz-cert.example",
        "public_url": "https://kelisim.example"}))


def test_a_circulated_restricted_document_is_mailed_only_to_the_party_it_names(
        ex: Exchange, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    handler, port = smtp
    rt, p = mailing(ex.node.runtime, port), ex.principals
    inbox.set_mail(rt, p["ru"], "duty@ru-cert.example", "ru")
    inbox.set_mail(rt, p["by"], "desk@by-cert.example", "kk")
    inbox.set_mail(rt, p["kz_admin"], "admin@kz-cert.example", "en")
    pid = project(ex, "ru", "by")
    notify_workspace(rt)  # the joinings: mailed too, read below by kind
    handler.messages.clear()
    deliver_pending(rt)
    handler.messages.clear()
    did = upload(ex, "kz", pid, odt(), filename="draft.odt", title=TITLE,
                 classification="restricted", restricted_to=["RUS"])["id"]
    docs.circulate_document(rt, p["kz"], pid, did)
    assert notify_workspace(rt) == 1
    assert deliver_pending(rt) == 1
    [(to, message)] = handler.messages
    assert to == ["duty@ru-cert.example"] and message["Content-Language"] == "ru"
    ru = translations("ru").gettext
    title = ru(WORKSPACE_TITLES["workspace:document_circulated"])
    assert str(message["Subject"]) == WORKSPACE_MAIL_SUBJECT.format(title=title)
    body = message.get_content()
    assert f"https://kelisim.example/workspace/projects/{pid}/documents/{did}" in body
    for secret in (TITLE, "Steppe", "KAZ", "RUS", "draft.odt"):
        assert secret not in body
    with rt.unit_of_work() as uow:
        logged = uow.connection.execute(
            select(notification_deliveries.c.target, notification_attempts.c.status)
            .join(notification_attempts,
                  notification_attempts.c.delivery_id == notification_deliveries.c.id)
            .where(notification_deliveries.c.target == "duty@ru-cert.example")).all()
    assert ("duty@ru-cert.example", "sent") in logged
    assert deliver_pending(rt) == 0  # sent once


def test_a_deadline_awaiting_consent_is_mailed_in_each_recipients_language(
        ex: Exchange, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    handler, port = smtp
    rt, p = mailing(ex.node.runtime, port), ex.principals
    pid = project(ex, "ru", "by")
    notify_workspace(rt)
    inbox.set_mail(rt, p["ru"], "duty@ru-cert.example", "ru")
    inbox.set_mail(rt, p["by"], "desk@by-cert.example", "kk")
    inbox.set_mail(rt, p["kz_admin"], "admin@kz-cert.example", "en")
    inbox.set_mail(rt, p["kz_admin"], "", "en")  # the latest stands: no more mail
    ws.add_stage(rt, p["kz"], pid, title="Collect", deadline=date(2027, 3, 1))
    notify_workspace(rt)
    assert deliver_pending(rt) == 2
    by_address = {to[0]: message for to, message in handler.messages}
    assert sorted(by_address) == ["desk@by-cert.example", "duty@ru-cert.example"]
    for address, lang in (("desk@by-cert.example", "kk"), ("duty@ru-cert.example", "ru")):
        mail = by_address[address]
        gettext = translations(lang).gettext
        title = gettext(WORKSPACE_TITLES["workspace:consent_awaited"])
        assert mail["Content-Language"] == lang
        assert str(mail["Subject"]) == WORKSPACE_MAIL_SUBJECT.format(title=title)
        body = mail.get_content()
        assert "2027-03-01" in body and f"/workspace/projects/{pid}" in body
        assert "Collect" not in body
    assert inbox.mail_settings(rt, p["kz_admin"]) == {"email": None, "language": "en",
                                                      "smtp": True}


def test_a_mail_setting_is_checked(ex: Exchange) -> None:
    rt, p = ex.node.runtime, ex.principals
    with pytest.raises(InvalidInput, match="e-mail"):
        inbox.set_mail(rt, p["ru"], "not an address", "ru")
    with pytest.raises(InvalidInput, match="language"):
        inbox.set_mail(rt, p["ru"], "duty@ru-cert.example", "de")
    assert inbox.mail_settings(rt, p["ru"])["email"] is None

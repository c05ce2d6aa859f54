"""Communication checks reach the contacts by e-mail (issue 15 items 9, 10; Art. 8, 9): at
launch each target whose channels name an e-mail address gets a mail from a real SMTP server on
loopback (aiosmtpd) holding only its one-time link, in the contact's first language (kk, ru,
en; else English); the delivery is logged; the link taken from the mail is answered over real
HTTP and the check's report shows it answered. Both databases (the `database_url` fixture)."""

from __future__ import annotations

import dataclasses
import re

import httpx
from sqlalchemy import select

from kelisim.domain.notifications import CHECK_MAIL_SUBJECT
from kelisim.services.workspace import checks, contacts
from kelisim.storage.schema import notification_attempts, notification_deliveries
from kelisim.web.ui.i18n import translations
from tests.conftest import LiveServer
from tests.exchange_support import setup_exchange
from tests.integration.test_notification_channels import Inbox, smtp  # noqa: F401 (fixture)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"(https?://\S+/workspace/checks/ack/[A-Za-z0-9_-]+)")


def test_a_check_is_mailed_and_answered_from_the_link(
        live_server: LiveServer, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    handler, port = smtp
    ex = setup_exchange(live_server.node)
    rt, p = live_server.node.runtime, ex.principals
    contacts.add_contact(rt, p["kz_admin"], name="KZ duty desk", hours="24/7",
                         languages=["kk", "ru"],
                         channels=[{"kind": "email", "value": "desk@kz-cert.example"}])
    contacts.add_contact(rt, p["ru"], name="RU desk", hours="24/7", languages=["de"],
                         channels=[{"kind": "email", "value": "desk@ru-cert.example"}])
    contacts.add_contact(rt, p["ru"], name="RU phone", hours="24/7", languages=["ru"],
                         channels=[{"kind": "phone", "value": "+7 495 0"}])
    mailing = dataclasses.replace(rt, settings=rt.settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "kelisim@kz-cert.example",
        "public_url": live_server.base_url}))
    launched = checks.launch_check(mailing, p["depositary"], hours=2)
    assert sorted((m["party"], m["mailed"]) for m in launched["links"]) == [
        ("KAZ", True), ("RUS", False), ("RUS", True)]
    by_address = {rcpt[0]: message for rcpt, message in handler.messages}
    assert sorted(by_address) == ["desk@kz-cert.example", "desk@ru-cert.example"]
    kz_mail, ru_mail = by_address["desk@kz-cert.example"], by_address["desk@ru-cert.example"]
    assert kz_mail["Content-Language"] == "kk" and ru_mail["Content-Language"] == "en"
    assert str(kz_mail["Subject"]) == translations("kk").gettext(CHECK_MAIL_SUBJECT)
    assert str(ru_mail["Subject"]) == CHECK_MAIL_SUBJECT
    kz_body = kz_mail.get_content()
    for other in ("KZ duty desk", "RU", "KAZ", "desk@"):  # the link is the only content
        assert other not in kz_body
    found = LINK.search(kz_body)
    assert found and found.group(1).startswith(live_server.base_url)
    with rt.unit_of_work() as uow:
        logged = uow.connection.execute(
            select(notification_deliveries.c.target, notification_attempts.c.status)
            .join(notification_attempts,
                  notification_attempts.c.delivery_id == notification_deliveries.c.id)).all()
    assert sorted(logged) == [("desk@kz-cert.example", "sent"),
                              ("desk@ru-cert.example", "sent")]
    with httpx.Client(timeout=10) as anyone:
        page = anyone.get(found.group(1))
        token = CSRF.search(page.text)
        assert page.status_code == 200 and token, page.text[:300]
        pressed = anyone.post(found.group(1), data={"csrf_token": token.group(1)})
        assert pressed.status_code == 200 and 'id="ack-state"' in pressed.text
    shown = checks.show_check(rt, p["kz"], launched["id"])
    assert sorted((t["party"], t["state"]) for t in shown["targets"]) == [
        ("KAZ", "answered"), ("RUS", "awaiting"), ("RUS", "awaiting")]
    report = {r["party"]: r for r in checks.report_checks(rt, p["by"])}
    assert report["KAZ"]["awaiting"] == 0 and report["RUS"]["awaiting"] == 2


def test_no_mail_without_smtp(live_server: LiveServer) -> None:
    ex = setup_exchange(live_server.node)
    rt, p = live_server.node.runtime, ex.principals
    contacts.add_contact(rt, p["kz_admin"], name="KZ duty desk", hours="24/7",
                         languages=["kk"],
                         channels=[{"kind": "email", "value": "desk@kz-cert.example"}])
    launched = checks.launch_check(rt, p["depositary"], hours=2)
    assert [m["mailed"] for m in launched["links"]] == [False]
    with rt.unit_of_work() as uow:
        assert uow.connection.execute(select(notification_deliveries)).all() == []

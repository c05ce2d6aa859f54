"""Sending the notices: e-mail over SMTP and webhooks over HTTP, every attempt recorded.

E-mail goes through the configured SMTP server (KELISIM_SMTP_*; off when no host is set), in
the subscription's language, and says only which object (type, id, version, collection) and
where to open it: never a name, description or pattern (`domain.notifications.mail_text`), so
a mailbox, a relay or a misdirected message holds nothing of the exchange's content (Art. 6).
A webhook gets the same identifiers as JSON, signed: `X-Kelisim-Signature: sha256=<hex>` is
HMAC-SHA256 with the subscription's secret over `X-Kelisim-Timestamp`, a dot and the body.

Each try is a row of `notification_attempts` (sent, failed with the reason, abandoned after
`MAX_ATTEMPTS`); a failed one is tried again after `BACKOFF`. Delivery is at least once: two
server processes passing at the same moment may both send, and the receiver tells a repeat by
the notification id (`X-Kelisim-Delivery` and the body's `id`).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.header import Header
from email.mime.text import MIMEText
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from cryptography.exceptions import InvalidTag

from kelisim.domain.notifications import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Channel,
    Notice,
    check_mail_text,
    mail_text,
    signature,
    webhook_body,
    workspace_mail_text,
)
from kelisim.services.notifications.subscriptions import unseal
from kelisim.services.runtime import Runtime
from kelisim.storage.instants import aware
from kelisim.storage.notifications_repository import NotificationsRepository
from kelisim.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BACKOFF = (timedelta(0), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2))
"""Time to wait after the last failed attempt before attempt n (index n - 1)."""
TIMEOUT = 10.0
BATCH = 100


def deliver_pending(rt: Runtime) -> int:
    """Try every delivery that is due; returns how many were sent by this call."""
    with rt.unit_of_work() as uow:
        due = NotificationsRepository(uow.connection).pending_deliveries(BATCH)
        secrets = {d["delivery_id"]: _secret(uow, d["webhook_secret"]) for d in due
                   if d["channel"] == Channel.WEBHOOK.value}
        uow.commit()  # the secrets' key, if this was its first use
    sent = 0
    for delivery in due:
        attempt = int(delivery["attempts"]) + 1
        now = rt.clock()
        last = delivery["last_attempt"]
        if last is not None and now < _aware(last) + BACKOFF[min(attempt, MAX_ATTEMPTS) - 1]:
            continue
        secret = secrets.get(delivery["delivery_id"], b"")
        error = (_send(rt, delivery, secret) if secret is not None
                 else "the webhook's secret cannot be decrypted with this node's key")
        status = "sent" if error is None else (
            "abandoned" if attempt >= MAX_ATTEMPTS else "failed")
        with rt.unit_of_work() as uow:
            NotificationsRepository(uow.connection).add_attempt(
                delivery["delivery_id"], attempt, rt.clock(), status, error)
            uow.commit()
        sent += error is None
    return sent


def _secret(uow: UnitOfWork, sealed: bytes | None) -> bytes | None:
    """The webhook's secret, or None if it cannot be opened (a node key that changed): that
    delivery fails, recorded, and the others go on."""
    if not sealed:
        return None
    try:
        return unseal(uow, sealed)
    except InvalidTag:
        return None


def notice_of(rt: Runtime, delivery: dict[str, Any]) -> Notice:
    return Notice(
        id=delivery["notification_id"], kind=delivery["kind"],
        subscription_id=delivery["subscription_id"],
        subscription_name=delivery["subscription_name"],
        collection_id=delivery["collection_id"], stix_id=delivery["stix_id"],
        object_type=delivery["object_type"], version=delivery["version"],
        created=_aware(delivery["created_at"]).isoformat().replace("+00:00", "Z"),
        link=object_link(rt, delivery["collection_id"], delivery["stix_id"]))


def object_link(rt: Runtime, collection_id: str, stix_id: str) -> str:
    return (f"{rt.settings.effective_public_url}/exchange/collections/{quote(collection_id)}"
            f"/objects/{quote(stix_id)}")


def _send(rt: Runtime, delivery: dict[str, Any], secret: bytes) -> str | None:
    """None when sent; else why not (recorded with the attempt)."""
    if delivery["subscription_id"] is None:
        return _send_workspace(rt, delivery)
    notice = notice_of(rt, delivery)
    try:
        if delivery["channel"] == Channel.EMAIL.value:
            send_mail(rt, delivery["target"], delivery["language"], notice)
        else:
            post_webhook(rt, delivery["target"], secret, notice)
    except (OSError, smtplib.SMTPException, httpx.HTTPError, WebhookRefused) as error:
        log.warning("notification %s not delivered by %s: %s", notice.id,
                    delivery["channel"], error)
        return f"{type(error).__name__}: {error}"[:500]
    return None


def _send_workspace(rt: Runtime, delivery: dict[str, Any]) -> str | None:
    """A workspace notice's mail (decision 0025): its kind, a deadline, the link; in the
    account's language (`account_mail`)."""
    from kelisim.web.ui.i18n import translations  # the UI's catalogs; babel only, no web

    language = delivery["language"] or "en"
    subject, body = workspace_mail_text(
        delivery["kind"], delivery["facts"] or {},
        rt.settings.effective_public_url + (delivery["path"] or "/inbox"),
        translations(language).gettext)
    try:
        send_text(rt, delivery["target"], language, subject, body, delivery["notification_id"])
    except (OSError, smtplib.SMTPException) as error:
        log.warning("workspace notice %s not mailed: %s", delivery["notification_id"], error)
        return f"{type(error).__name__}: {error}"[:500]
    return None


def mail_check_links(rt: Runtime, links: list[dict[str, Any]], deadline: str) -> int:
    """Each target of a communication check with an e-mail address gets its one-time link, in
    the contact's first language (kk, ru, en; else English). Each mail is a delivery of
    `notification_deliveries` (notification_id = the target's id) with its one attempt; the
    link is not kept (only its hash is), so a failed mail is recorded, not retried: the
    launcher sees it in the answer and passes the link on. Returns how many were sent."""
    from kelisim.web.ui.i18n import translations  # the UI's catalogs; babel only, no web

    if not rt.settings.smtp_host:
        return 0
    base = rt.settings.effective_public_url
    sent = 0
    for link in links:
        if not link.get("email"):
            continue
        language = link["language"]
        subject, body = check_mail_text(base + link["path"], deadline,
                                        translations(language).gettext)
        try:
            send_text(rt, link["email"], language, subject, body, link["target_id"])
            error = None
        except (OSError, smtplib.SMTPException) as failure:
            log.warning("check link for %s not mailed: %s", link["target_id"], failure)
            error = f"{type(failure).__name__}: {failure}"[:500]
        with rt.unit_of_work() as uow:
            repo = NotificationsRepository(uow.connection)
            delivery = repo.add_delivery(link["target_id"], Channel.EMAIL.value,
                                         link["email"], rt.clock())
            repo.add_attempt(delivery, 1, rt.clock(), "sent" if error is None else "abandoned",
                             error)
            uow.commit()
        link["mailed"] = error is None
        sent += error is None
    return sent


def send_mail(rt: Runtime, to: str, language: str, notice: Notice) -> None:
    from kelisim.web.ui.i18n import translations  # the UI's catalogs; babel only, no web

    subject, body = mail_text(notice, translations(language).gettext)
    send_text(rt, to, language, subject, body, notice.id)


def send_text(rt: Runtime, to: str, language: str, subject: str, body: str,
              reference: str) -> None:
    """One plain-text mail through the configured SMTP server (raises when it fails)."""
    settings = rt.settings
    if not settings.smtp_host:
        raise smtplib.SMTPException("no SMTP server is configured (KELISIM_SMTP_HOST)")
    # MIMEText and Header (the compat32 API): the default policy's folder drops the space
    # between two encoded words of a long non-ASCII subject, which compat32's does not.
    message = MIMEText(body, "plain", "utf-8")
    message["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Content-Language"] = language
    message["X-Kelisim-Notification"] = reference
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)


class WebhookRefused(Exception):
    """The receiver answered, but not with 2xx."""


def post_webhook(rt: Runtime, url: str, secret: bytes, notice: Notice) -> None:
    body = orjson.dumps(webhook_body(notice))
    timestamp = str(int(rt.clock().timestamp()))
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp,
               SIGNATURE_HEADER: signature(secret, timestamp, body),
               "X-Kelisim-Delivery": notice.id, "User-Agent": "kelisim-notifications"}
    response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT,
                          follow_redirects=False)
    if not 200 <= response.status_code < 300:
        raise WebhookRefused(f"HTTP {response.status_code}")


def _aware(value: datetime) -> datetime:
    found: datetime = aware(value)
    return found

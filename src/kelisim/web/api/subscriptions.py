"""Subscriptions to the exchange and the inbox of notifications (issue 16, item 8; issue 15,
item 10). An account manages only its own subscriptions and reads only its own inbox; it is
told only of objects it may read (Art. 6). Refusals are problem details (RFC 9457)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from kelisim.services.notifications import inbox, subscriptions
from kelisim.web.dependencies import PrincipalDep, RuntimeDep

router = APIRouter(prefix="/api/v1", tags=["notifications"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A filter or channel kelisim cannot use (the field is named: an "
                         "unknown type, Party, threat class, a bad technique id, URL, address)",
          "content": {"application/problem+json": {}}},
    403: {"description": "The caller may not read the exchange today (Art. 6, 13-15)",
          "content": {"application/problem+json": {}}},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such subscription or notification of the caller",
          "content": {"application/problem+json": {}}}}


class NewSubscription(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="Your name for it")
    types: list[str] = Field(default_factory=list, max_length=50, description="STIX types")
    directions: list[int] = Field(default_factory=list, max_length=19,
                                  description="Art. 3 directions, 1-19")
    threat_classes: list[str] = Field(default_factory=list, max_length=3,
                                      description="Art. 2 threat classes")
    values: list[str] = Field(default_factory=list, max_length=50, description=(
        "Observable values (an IP network matches the addresses in it)"))
    technique: str | None = Field(default=None, max_length=20, description=(
        "An ATT&CK technique id; T1566 matches its sub-techniques too"))
    producers: list[str] = Field(default_factory=list, max_length=20,
                                 description="Producer Parties (ISO alpha-3)")
    email: str | None = Field(default=None, max_length=320, description=(
        "Mail the notices here (needs KELISIM_SMTP_HOST); identifiers and a link only"))
    webhook: str | None = Field(default=None, max_length=2000, description=(
        "POST the notices here, signed: X-Kelisim-Signature: sha256=HMAC(secret, "
        "timestamp.body); the secret is in this answer only"))
    language: str | None = Field(default=None, description="kk, ru or en (the e-mail's)")


class SubscriptionOut(BaseModel):
    id: str
    name: str
    filter: dict[str, Any]
    language: str
    email: str | None = Field(default=None, description="Left out when none")
    webhook: str | None = Field(default=None, description="Left out when none")
    origin_party: str | None = Field(default=None, description="The subscriber's Party; left "
                                                               "out for the depositary")
    created: str
    webhook_secret: str | None = Field(default=None, description="Only when created")


class ReadIds(BaseModel):
    ids: list[str] = Field(default_factory=list, max_length=500,
                           description="Notification ids; none with `all`")
    all: bool = Field(default=False, description="Mark every unread notification read")


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut,
             response_model_exclude_none=True, responses=PROBLEMS,
             summary="Subscribe to new exchange objects matching a filter")
def create(rt: RuntimeDep, principal: PrincipalDep, body: NewSubscription) -> dict[str, Any]:
    """Each facet given narrows (one of its entries must match); an empty facet matches all.
    Only object versions stored after the subscription are news."""
    wanted = subscriptions.FilterInput(
        types=tuple(body.types), directions=tuple(body.directions),
        threat_classes=tuple(body.threat_classes), values=tuple(body.values),
        technique=body.technique, producers=tuple(body.producers))
    return subscriptions.create_subscription(rt, principal, name=body.name, wanted=wanted,
                                             email=body.email, webhook=body.webhook,
                                             language=body.language)


@router.get("/subscriptions", response_model=list[SubscriptionOut],
            response_model_exclude_none=True, summary="The caller's subscriptions")
def list_all(rt: RuntimeDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return subscriptions.list_subscriptions(rt, principal)


@router.delete("/subscriptions/{subscription_id}", status_code=204, responses=NOT_FOUND,
               summary="Remove a subscription (recorded; its notifications stay)")
def remove(rt: RuntimeDep, principal: PrincipalDep, subscription_id: str) -> Response:
    subscriptions.remove_subscription(rt, principal, subscription_id)
    return Response(status_code=204)


@router.get("/inbox", summary="The caller's notifications, newest first (keyset pages)")
def read(rt: RuntimeDep, principal: PrincipalDep,
         unread: Annotated[bool, Query(description="Only the unread ones")] = False,
         limit: Annotated[int, Query(ge=1, le=inbox.MAX_LIMIT)] = inbox.DEFAULT_LIMIT,
         before: Annotated[int | None, Query(ge=1, description="A page's `next`")] = None,
         ) -> dict[str, Any]:
    """Each notification of a subscription names the object (collection, id, type, version)
    and links to it; a workspace notice (`kind` `workspace:...`) names its record, the `path`
    of its page and a few open `facts` (a deadline, the acting Party), never its title. What
    either says is read there, under the reader's rights of the day."""
    return inbox.read_inbox(rt, principal, unread_only=unread, limit=limit, before=before)


@router.post("/inbox/read", responses=NOT_FOUND, summary="Mark notifications read")
def mark_read(rt: RuntimeDep, principal: PrincipalDep, body: ReadIds) -> dict[str, Any]:
    marked = (inbox.mark_all_read(rt, principal) if body.all
              else inbox.mark_read(rt, principal, body.ids))
    return {"marked": marked, "unread": inbox.unread_count(rt, principal)}


class MailSettings(BaseModel):
    email: str | None = Field(default=None, max_length=320,
                              description="Your address for the workspace's notices; empty "
                                          "or null stops the mail")
    language: str = Field(default="en", description="kk, ru or en: the mail's language")


@router.get("/inbox/mail", summary="The caller's own address for its workspace notices")
def get_mail(rt: RuntimeDep, principal: PrincipalDep) -> dict[str, Any]:
    return inbox.mail_settings(rt, principal)


@router.put("/inbox/mail", responses=PROBLEMS,
            summary="Set the caller's address and language for its workspace notices")
def put_mail(rt: RuntimeDep, principal: PrincipalDep, body: MailSettings) -> dict[str, Any]:
    """Recorded as a change of its own (the latest stands). The mail carries what happened,
    a deadline if any and a link; never a title or text of the record (Art. 6)."""
    return inbox.set_mail(rt, principal, body.email, body.language)

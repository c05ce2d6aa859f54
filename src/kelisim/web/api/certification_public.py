"""Public verification of a certificate number: no token, only what its scheme made public.

Art. 3 (direction 14): anyone relying on a certified information protection tool can check it.
The JSON endpoint and the page show the number, the scheme, the verdict (with reasons worded
to disclose no unpublished field) and the fields the scheme chose to publish
(`kelisim.domain.certification.publication`). A scheme that publishes nothing answers 404, as
an unknown number does.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from kelisim.services.certification.verification import verify_public
from kelisim.web.dependencies import RuntimeDep

router = APIRouter(tags=["public verification"])

Party = Annotated[str | None, Query(alias="in", min_length=3, max_length=3,
                                    description="Verify for this Party (ISO alpha-3).")]


@router.get("/api/v1/public/certificates/{number:path}",
            summary="Verify a certificate without an account (public fields only)")
def public_certificate(rt: RuntimeDep, number: str, party: Party = None,
                       on: date | None = None) -> dict[str, Any]:
    return verify_public(rt, number, party, on)


@router.get("/verify/{number:path}", response_class=HTMLResponse, include_in_schema=False)
def public_page(rt: RuntimeDep, number: str, party: Party = None,
                on: date | None = None) -> HTMLResponse:
    body = verify_public(rt, number, party, on)
    return HTMLResponse(render(body))


def render(body: dict[str, Any]) -> str:
    scheme = body["scheme"]
    rows = "".join(f"<tr><th>{escape(k.replace('_', ' '))}</th><td>{escape(_text(v))}</td></tr>"
                   for k, v in body["certificate"].items())
    verdict = body.get("verdict")
    answer = ""
    if verdict:
        word = "VALID" if verdict["valid"] else "NOT VALID"
        reasons = "".join(f"<li>{escape(r['text'])} <small>({escape(r['article'])})</small></li>"
                          for r in verdict["reasons"])
        answer = (f"<p class=verdict><strong>{word}</strong> in {escape(verdict['in'])} on "
                  f"{escape(verdict['on'])}</p><ol>{reasons}</ol>")
    return ("<!doctype html><html lang=en><meta charset=utf-8><title>Certificate "
            f"{escape(body['number'])}</title><h1>Certificate {escape(body['number'])}</h1>"
            f"<p>Scheme {escape(scheme['key'])} ({escape(scheme['name'])}), "
            f"{escape(scheme['party'])}</p>{answer}<table>{rows}</table></html>")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v not in (None, [], ""))
    return "" if value is None else str(value)

"""Certificates to and from JSON, and the search terms a certificate is found by.

The projection stores each replayed certificate as this JSON (so a read needs one row, not a
replay) and the API returns it; `certificate_from_json(certificate_to_json(c)) == c` always.
Full-text search is a portable inverted index (docs/decisions/0009-certification-dates.md,
"Search"): the case-folded words of the product and vendor, matched by prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from kelisim.domain.certification.lifecycle import (
    Certificate,
    CertState,
    DocumentRef,
    Maintenance,
    Period,
    Requirement,
)

TERM_LIMIT = 80
WORD = re.compile(r"\w+", re.UNICODE)


def certificate_to_json(cert: Certificate) -> dict[str, Any]:
    return {
        "number": cert.number, "scheme": cert.scheme, "party": cert.party,
        "product": cert.product, "vendor": cert.vendor, "version": cert.version,
        "category": cert.category, "technical_domain": cert.technical_domain,
        "requirements": [r.to_json() for r in cert.requirements],
        "protection_profiles": list(cert.protection_profiles),
        "issued_on": cert.issued_on.isoformat(), "expires_on": cert.expires_on.isoformat(),
        "documents": [d.to_json() for d in cert.documents],
        "maintenance": [{"on": m.on.isoformat(), "version": m.version, "title": m.title,
                         "documents": [d.to_json() for d in m.documents]}
                        for m in cert.maintenance],
        "periods": [{"state": p.state.value, "start": p.start.isoformat(),
                     "end": p.end.isoformat() if p.end else None} for p in cert.periods],
        "history": [{"seq": seq, "event": kind, "on": on.isoformat()}
                    for seq, kind, on in cert.history],
    }


def certificate_from_json(body: Mapping[str, Any]) -> Certificate:
    day = date.fromisoformat
    return Certificate(
        number=body["number"], scheme=body["scheme"], party=body["party"],
        product=body["product"], vendor=body["vendor"], version=body.get("version"),
        category=body["category"], technical_domain=body.get("technical_domain"),
        requirements=tuple(Requirement(r["document"], r["level"], tuple(r["augmentations"]))
                           for r in body["requirements"]),
        protection_profiles=tuple(body["protection_profiles"]),
        issued_on=day(body["issued_on"]), expires_on=day(body["expires_on"]),
        documents=tuple(DocumentRef(**d) for d in body["documents"]),
        maintenance=tuple(Maintenance(day(m["on"]), m["version"], m["title"],
                                      tuple(DocumentRef(**d) for d in m["documents"]))
                          for m in body["maintenance"]),
        periods=tuple(Period(CertState(p["state"]), day(p["start"]),
                             day(p["end"]) if p["end"] else None) for p in body["periods"]),
        history=tuple((h["seq"], h["event"], day(h["on"])) for h in body["history"]),
    )


def terms(*texts: str | None) -> set[str]:
    """The case-folded words of the texts, each cut to the indexed length."""
    return {word[:TERM_LIMIT] for text in texts if text
            for word in WORD.findall(text.casefold())}


def query_terms(query: str) -> list[str]:
    return sorted(terms(query))


def prefix_end(term: str) -> str:
    """The smallest string greater than every string starting with `term` (for a range scan)."""
    return term[:-1] + chr(ord(term[-1]) + 1)


def sort_key(cert: Certificate) -> str:
    return f"{cert.product.casefold()} {cert.vendor.casefold()}"[:300]


def state_on(cert: Certificate, day: date) -> str:
    period = cert.state_on(day)
    return "not_yet_issued" if period is None else period.state.value

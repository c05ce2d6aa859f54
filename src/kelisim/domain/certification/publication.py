"""What anyone without an account may see of a certificate: only what its scheme made public.

Art. 3 (direction 14) is served by letting a buyer, an integrator or another Party's official
check a certificate number without an account; Art. 6 (information of restricted access) and each
scheme's own rules limit what that check may disclose. The number, the scheme and the verdict
(valid or not, and the kind of each reason) are always shown; every other field only if the
scheme listed it in `public_fields`. A reason's full text quotes dates and levels, so it is shown
only when the fields it quotes are public; otherwise a generic sentence of the same code is.
"""

from __future__ import annotations

from typing import Any

from kelisim.domain.certification.codec import certificate_to_json, state_on
from kelisim.domain.certification.lifecycle import Certificate
from kelisim.domain.certification.schemes import Scheme
from kelisim.domain.certification.verification import Reason, ReasonCode, Verdict

QUOTED_FIELDS = frozenset({"issued_on", "expires_on", "requirements"})

GENERIC: dict[ReasonCode, str] = {
    ReasonCode.ISSUED: "Issued by scheme {scheme} of {party}.",
    ReasonCode.NOT_YET_ISSUED: "Not yet issued on {day}.",
    ReasonCode.VALID_ON: "Valid on {day}.",
    ReasonCode.SUSPENDED: "Suspended on {on}.",
    ReasonCode.WITHDRAWN: "Withdrawn on {on}.",
    ReasonCode.EXPIRED: "Expired on {on}.",
    ReasonCode.LEVEL_ABOVE_CAP: "A level certified is above the cap of the arrangement.",
    ReasonCode.DOCUMENT_NOT_COVERED: "The arrangement does not cover a requirement certified.",
    ReasonCode.RECOGNISED: "Recognised in {day_party} by arrangement {arrangement}.",
}


def public_view(cert: Certificate, scheme: Scheme, verdict: Verdict | None) -> dict[str, Any]:
    fields = certificate_to_json(cert)
    shown = {k: fields[k] for k in sorted(scheme.public_fields)}
    body: dict[str, Any] = {"number": cert.number,
                            "scheme": {"key": scheme.key, "name": scheme.name,
                                       "party": scheme.party},
                            "certificate": shown}
    if verdict is not None:
        full = scheme.public_fields >= QUOTED_FIELDS
        body["verdict"] = {
            "in": verdict.party, "on": verdict.day.isoformat(), "valid": verdict.valid,
            "state": state_on(cert, verdict.day), "arrangement": verdict.arrangement,
            "reasons": [r.to_json() if full else _generic(r, verdict, scheme)
                        for r in verdict.reasons]}
    return body


def _generic(reason: Reason, verdict: Verdict, scheme: Scheme) -> dict[str, Any]:
    template = GENERIC.get(reason.code)
    text = reason.text if template is None else template.format(
        scheme=scheme.key, party=scheme.party, day=verdict.day, on=reason.on,
        day_party=verdict.party, arrangement=verdict.arrangement)
    keep_date = reason.code not in (ReasonCode.ISSUED, ReasonCode.VALID_ON,
                                    ReasonCode.NOT_YET_ISSUED)
    return {"code": reason.code.value, "ok": reason.ok, "text": text, "article": reason.article,
            "on": reason.on.isoformat() if reason.on and keep_date else None}

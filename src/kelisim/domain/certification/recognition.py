"""Recognition arrangements: which scheme recognises which, for what, up to which level, when.

Art. 3 (direction 14) asks for the *mutual recognition of certification results* under an agreed
procedure. An arrangement is directional — the recognising scheme (of Party P) recognises
certificates of the recognised scheme (of Party Q) — so a mutual arrangement is two of them. It
expresses what real arrangements need:

* caps per requirement document (CCRA: up to EAL2 + ALC_FLR; a collaborative protection profile
  without cap), and per technical domain where the arrangement says so (SOG-IS: EAL4 in general,
  up to EAL7 in the "smart cards and similar devices" domain);
* what happens above a cap: `refuse` (not recognised at all) or `limit` (recognised *at* the
  cap, as the CCRA recognises an EAL4 certificate's EAL2 part);
* certificate-producing schemes are recognised; certificate-consuming schemes only recognise;
* dates in force, half-open: [valid_from, ends_on);
* a validity period (months) after which a recognised certificate ages out, counted from its
  issue or last maintenance (the CCRA archives certificates after five years).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from kelisim.domain.certification.lifecycle import parse_day
from kelisim.domain.certification.schemes import ARTICLE, Scheme, SchemeRole, check_key, text
from kelisim.domain.errors import InvalidInput, NotFound, RuleViolation


class AboveCap(StrEnum):
    REFUSE = "refuse"
    LIMIT = "limit"


@dataclass(frozen=True)
class Cap:
    document: str
    level: str | None
    """The highest level recognised; None: every level of the document."""
    technical_domain: str | None = None
    """When set, the cap applies to certificates of this technical domain only."""
    augmentations: tuple[str, ...] = ()
    """Augmentations recognised with the cap (the CCRA's ALC_FLR)."""


@dataclass(frozen=True)
class Arrangement:
    key: str
    name: str
    recognising_scheme: str
    recognising_party: str
    recognised_scheme: str
    recognised_party: str
    caps: tuple[Cap, ...]
    valid_from: date
    ends_on: date | None = None
    above_cap: AboveCap = AboveCap.REFUSE
    recognition_period_months: int | None = None

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.ends_on is None or day < self.ends_on)

    def cap_for(self, document: str, technical_domain: str | None) -> Cap | None:
        """The domain's cap for the document if the arrangement names one, else the general."""
        general = None
        for cap in self.caps:
            if cap.document != document:
                continue
            if cap.technical_domain is None:
                general = cap
            elif cap.technical_domain == technical_domain:
                return cap
        return general

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name,
                "recognising_scheme": self.recognising_scheme,
                "recognising_party": self.recognising_party,
                "recognised_scheme": self.recognised_scheme,
                "recognised_party": self.recognised_party,
                "caps": [{"document": c.document, "level": c.level,
                          "technical_domain": c.technical_domain,
                          "augmentations": list(c.augmentations)} for c in self.caps],
                "valid_from": self.valid_from.isoformat(),
                "ends_on": self.ends_on.isoformat() if self.ends_on else None,
                "above_cap": self.above_cap.value,
                "recognition_period_months": self.recognition_period_months}


def parse_arrangement(raw: Any, schemes: Mapping[str, Scheme]) -> Arrangement:
    """An arrangement from its JSON form, checked against the schemes it names."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("An arrangement is a JSON object.")
    recognising = _scheme(schemes, raw.get("recognising_scheme"), "recognising_scheme")
    recognised = _scheme(schemes, raw.get("recognised_scheme"), "recognised_scheme")
    if recognising.key == recognised.key:
        raise InvalidInput("A scheme does not need to recognise itself.",
                           field="recognised_scheme")
    if recognised.role is not SchemeRole.PRODUCING:
        raise RuleViolation(f"Scheme {recognised.key} is certificate-consuming: it issues no "
                            "certificates to recognise.", article=ARTICLE)
    valid_from = parse_day(raw.get("valid_from"), "valid_from")
    ends_on = parse_day(raw["ends_on"], "ends_on") if raw.get("ends_on") else None
    if ends_on is not None and ends_on <= valid_from:
        raise InvalidInput("ends_on must come after valid_from.", field="ends_on")
    try:
        above = AboveCap(raw.get("above_cap", AboveCap.REFUSE.value))
    except ValueError:
        raise InvalidInput("above_cap is refuse or limit.", field="above_cap") from None
    period = raw.get("recognition_period_months")
    if period is not None and (not isinstance(period, int) or isinstance(period, bool)
                               or not 1 <= period <= 600):
        raise InvalidInput("recognition_period_months is a whole number of months (1-600).",
                           field="recognition_period_months")
    caps = raw.get("caps")
    if not isinstance(caps, list) or not caps:
        raise InvalidInput("caps lists the requirement documents recognised: "
                           "[{document, level (or null), technical_domain}].", field="caps")
    parsed = tuple(_cap(c, recognised) for c in caps)
    if len({(c.document, c.technical_domain) for c in parsed}) != len(parsed):
        raise InvalidInput("Each (document, technical_domain) is capped once.", field="caps")
    return Arrangement(key=check_key(raw.get("key"), "key"), name=text(raw, "name") or "",
                       recognising_scheme=recognising.key, recognising_party=recognising.party,
                       recognised_scheme=recognised.key, recognised_party=recognised.party,
                       caps=parsed, valid_from=valid_from, ends_on=ends_on, above_cap=above,
                       recognition_period_months=period)


def arrangement_from_json(body: Mapping[str, Any]) -> Arrangement:
    """Rebuild a recorded arrangement (already checked when recorded)."""
    return Arrangement(
        key=body["key"], name=body["name"], recognising_scheme=body["recognising_scheme"],
        recognising_party=body["recognising_party"], recognised_scheme=body["recognised_scheme"],
        recognised_party=body["recognised_party"],
        caps=tuple(Cap(c["document"], c["level"], c.get("technical_domain"),
                       tuple(c.get("augmentations", ()))) for c in body["caps"]),
        valid_from=date.fromisoformat(body["valid_from"]),
        ends_on=date.fromisoformat(body["ends_on"]) if body.get("ends_on") else None,
        above_cap=AboveCap(body["above_cap"]),
        recognition_period_months=body.get("recognition_period_months"))


def _scheme(schemes: Mapping[str, Scheme], key: Any, field: str) -> Scheme:
    scheme = schemes.get(str(key))
    if scheme is None:
        raise NotFound(f"No scheme {key!r} is recorded.", field=field)
    return scheme


def _cap(raw: Any, recognised: Scheme) -> Cap:
    if not isinstance(raw, Mapping):
        raise InvalidInput("Each cap is {document, level}.", field="caps")
    document = recognised.document(str(raw.get("document")))
    if document is None:
        raise InvalidInput(f"Scheme {recognised.key} certifies against no document "
                           f"{raw.get('document')!r}.", field="caps")
    level = raw.get("level")
    if level is not None and document.rank(str(level)) is None:
        raise InvalidInput(f"Cap {level!r} is not on the scale of {document.key} "
                           f"({', '.join(document.scale)}).", field="caps")
    augmentations = raw.get("augmentations") or []
    return Cap(document.key, None if level is None else str(level),
               text(raw, "technical_domain", required=False, limit=100),
               tuple(str(a) for a in augmentations))

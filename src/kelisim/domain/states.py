"""The CIS states: who belongs to the Commonwealth on a given date, and under what status.

Why this module exists: Art. 14 of the 2013 information-security Agreement opens it, once in
force, to accession by "any CIS member state" (ТМД-ға кез келген қатысушы мемлекет), and the
preamble and Art. 1 speak of the governments of CIS member states. Whether a state may accede on
a given date is therefore a question about the *Commonwealth*, answered here from
``kelisim/data/cis_states.json`` - kept apart from participation in the Agreement, which is what
the depositary records (Art. 13-15) and is computed elsewhere from that record.

Statuses:

* ``member`` - a state that ratified the CIS founding documents / Charter;
* ``associate_member`` - Turkmenistan since 26 August 2005;
* ``participant`` - a founding state that never ratified the CIS Charter (Ukraine).

Periods are half-open: ``start`` inclusive, ``end`` exclusive (``None`` = still running).

State names in kk/ru/en come from pycountry's ISO 3166-1 translations (common short name where
pycountry has one), with overrides in the JSON where a diplomat would use another form (e.g.
"Kyrgyz Republic", as in the Agreement's signature blocks). ``in_signature_blocks`` comes from
the parsed Agreement text and is not proof of signature.

:func:`domestic_acts` lists publicly sourced domestic acts (e.g. Kazakhstan's ratification law).
A domestic act is not a notification received by the depositary and changes no status by itself.

Pure: reads package data (and pycountry's bundled locale files) only.
"""

from __future__ import annotations

import datetime as dt
import gettext
import itertools
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pycountry

from kelisim.domain.agreement_text import LANGUAGES, load_agreement
from kelisim.domain.errors import NotFound

__all__ = [
    "CIS_STATUSES",
    "CisPeriod",
    "DomesticAct",
    "StateInfo",
    "cis_states_on",
    "domestic_acts",
    "is_cis_state",
    "load_states",
    "state",
]

CIS_STATUSES: frozenset[str] = frozenset({"member", "associate_member", "participant"})

_DATA_PACKAGE = "kelisim.data"
_STATES_FILE = "cis_states.json"
_ACTS_FILE = "domestic_acts.json"


class StatesDataError(ValueError):
    """The packaged state data is inconsistent: a packaging bug, never a user error."""


@dataclass(frozen=True)
class CisPeriod:
    """One stretch of time in which a state held one CIS status; ``end`` is exclusive."""

    start: dt.date
    end: dt.date | None
    status: str
    source: str

    def covers(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)


@dataclass(frozen=True)
class StateInfo:
    """A CIS state (present or past). ``names`` keyed by kk, ru, en; treat it as read-only."""

    code: str
    names: dict[str, str]
    cis_periods: tuple[CisPeriod, ...]
    in_signature_blocks: bool

    def period_on(self, on: dt.date) -> CisPeriod | None:
        """The CIS period covering ``on``, if any."""
        return next((p for p in self.cis_periods if p.covers(on)), None)

    def cis_status_on(self, on: dt.date) -> str | None:
        """``member``, ``associate_member``, ``participant`` or None on that date."""
        period = self.period_on(on)
        return period.status if period else None


@dataclass(frozen=True)
class DomesticAct:
    """A party's domestic act about the Agreement (e.g. a ratification law); not a notification."""

    party: str
    date: dt.date
    title: dict[str, str]
    reference: str
    source: str
    note: str


def _read_json(name: str) -> Any:
    text = resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _required_date(value: str | None, what: str) -> dt.date:
    parsed = _date(value)
    if parsed is None:
        raise StatesDataError(f"{what} has no date")
    return parsed


def _pycountry_names(code: str) -> dict[str, str]:
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise StatesDataError(f"{code} is not an ISO 3166-1 alpha-3 code known to pycountry")
    english = getattr(country, "common_name", None) or country.name
    names = {"en": english}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        names[lang] = translation.gettext(english)
    return {lang: names[lang] for lang in LANGUAGES}


@cache
def load_states() -> dict[str, StateInfo]:
    """Every state in the data file, by ISO alpha-3 code (cached; values are shared)."""
    signatories = set(load_agreement().signature_blocks)
    states: dict[str, StateInfo] = {}
    for entry in _read_json(_STATES_FILE)["states"]:
        code = entry["code"]
        names = _pycountry_names(code) | entry.get("name_overrides", {})
        periods: list[CisPeriod] = []
        for raw in entry["cis_periods"]:
            start = _required_date(raw["start"], f"{code} CIS period")
            period = CisPeriod(start, _date(raw["end"]), raw["status"], raw["source"])
            if period.status not in CIS_STATUSES:
                raise StatesDataError(f"{code}: unknown CIS status {period.status!r}")
            if period.end is not None and period.end <= period.start:
                raise StatesDataError(f"{code}: period ends before it starts")
            if not period.source.strip():
                raise StatesDataError(f"{code}: period without a source")
            periods.append(period)
        periods.sort(key=lambda p: p.start)
        for before, after in itertools.pairwise(periods):
            if before.end is None or before.end > after.start:
                raise StatesDataError(f"{code}: overlapping CIS periods")
        if code in states:
            raise StatesDataError(f"{code} listed twice")
        states[code] = StateInfo(code, names, tuple(periods), code in signatories)
    missing = signatories - states.keys()
    if missing:
        raise StatesDataError(f"signature-block governments missing from states: {missing}")
    return states


def state(code: str) -> StateInfo:
    """The state with this ISO alpha-3 code; raises NotFound if it is not a (past) CIS state."""
    found = load_states().get(code.upper()) if isinstance(code, str) else None
    if found is None:
        known = ", ".join(sorted(load_states()))
        raise NotFound(
            f"{code!r} is not the ISO 3166-1 alpha-3 code of a state that is or was in the CIS "
            f"(known: {known}).",
            code=code,
        )
    return found


def is_cis_state(code: str, on: dt.date) -> bool:
    """True if the state held any CIS status (member, associate member, participant) on ``on``.

    A code that names no CIS state gives False.
    """
    found = load_states().get(code.upper()) if isinstance(code, str) else None
    return found is not None and found.period_on(on) is not None


def cis_states_on(on: dt.date) -> list[StateInfo]:
    """The states holding any CIS status on ``on``, sorted by code."""
    return sorted(
        (s for s in load_states().values() if s.period_on(on) is not None),
        key=lambda s: s.code,
    )


@cache
def domestic_acts() -> tuple[DomesticAct, ...]:
    """Publicly sourced domestic acts about the Agreement, by date (cached).

    None of them is a depositary notification; none changes a status by itself.
    """
    acts: list[DomesticAct] = []
    for raw in _read_json(_ACTS_FILE)["acts"]:
        acts.append(
            DomesticAct(
                party=raw["party"],
                date=_required_date(raw["date"], f"{raw['party']} domestic act"),
                title=dict(raw["title"]),
                reference=raw["reference"],
                source=raw["source"],
                note=raw["note"],
            )
        )
    return tuple(sorted(acts, key=lambda a: (a.date, a.party)))

"""The terms on which a treaty the depositary tracks lives: the Agreement, or one of its protocols.

The depositary's engine (`kelisim.domain.treaty`, `kelisim.domain.depositary_record`) replays
every treaty with the same rules, reading the numbers from a `TreatyTerms` instead of from the
Agreement's articles directly, so the Agreement is one treaty among those it tracks:

* the Agreement 2013 (`AGREEMENT`): Art. 13 (third notification + 30 days), Art. 14 (accession
  after entry into force, + 30 days), Art. 15 (withdrawal on 6 months' notice), Art. 8 (lists of
  authorized bodies handed over with the instruments);
* a protocol (Art. 11): amendments and additions made by mutual consent of the Parties in
  protocols that form an integral part of the Agreement. Unless the protocol states otherwise it
  enters into force in the Agreement's way (Art. 13's procedure); it binds only Parties of the
  Agreement, and only while the Agreement is in force for them (`parent`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kelisim.domain import calendar

AGREEMENT_ID = "cis-infosec-2013"
"""The Agreement's id (`kelisim.domain.agreement_text.AGREEMENT_KEY`)."""

TREATY_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class TreatyTerms:
    """What a treaty's final clauses say about its life, as numbers the replay uses."""

    id: str
    titles: Mapping[str, str]
    done_on: date
    notifications_for_entry_into_force: int = 3
    days_after: int = calendar.ENTRY_INTO_FORCE_DELAY_DAYS
    accession_open: bool = True
    accession_from: date | None = None
    """None: from entry into force (Art. 14); a date: from that date (and entry into force)."""
    withdrawal_notice_months: int | None = calendar.WITHDRAWAL_NOTICE_MONTHS
    """None: no separate withdrawal; a protocol is left by leaving the Agreement (Art. 11, 15)."""
    parent: str | None = None
    """The treaty a protocol forms an integral part of (Art. 11); None for the Agreement."""
    authorized_bodies: bool = True
    """Whether instruments come with lists of authorized bodies (Art. 8: the Agreement's)."""
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def is_protocol(self) -> bool:
        return self.parent is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": "protocol" if self.is_protocol else "agreement",
            "titles": dict(self.titles), "done_on": self.done_on.isoformat(),
            "parent": self.parent,
            "entry_into_force": {"notifications": self.notifications_for_entry_into_force,
                                 "days_after": self.days_after},
            "accession": {"open": self.accession_open,
                          "from": self.accession_from.isoformat() if self.accession_from
                          else None},
            "withdrawal_notice_months": self.withdrawal_notice_months,
            "article": "Art. 11, 13" if self.is_protocol else "Art. 13-15",
        }


AGREEMENT = TreatyTerms(
    id=AGREEMENT_ID,
    titles={
        "kk": "Тәуелсіз Мемлекеттер Достастығына қатысушы мемлекеттердің ақпараттық қауіпсіздікті "
              "қамтамасыз ету саласындағы ынтымақтастығы туралы келісім",
        "ru": "Соглашение о сотрудничестве государств – участников Содружества Независимых "
              "Государств в области обеспечения информационной безопасности",
        "en": "Agreement on cooperation of the member states of the Commonwealth of Independent "
              "States in ensuring information security",
    },
    done_on=date(2013, 11, 20),
)
"""Done at Saint Petersburg on 20 November 2013; Art. 8, 13, 14, 15."""

"""One history with a protocol (Art. 11), shared by the integration, HTTP and CLI suites.

The Agreement enters into force on 31 May 2014 (KAZ, RUS, BLR notify; the third on 1 May 2014);
ARM signs and does not notify. Protocol P1, done on 1 June 2020, replaces Art. 8, inserts
Art. 3-1 after Art. 3 and repeals Art. 10; KAZ, RUS and BLR sign and notify it (the third on
11 January 2021: in force 10 February 2021); RUS withdraws from the Agreement on notice received
10 January 2022, effective 10 July 2022, which ends P1 for it.
"""

from __future__ import annotations

from typing import Any

from tests.certification_data import DEPOSITARY_HISTORY

P1 = "cis-infosec-2013-p1"
ART8 = {"kk": "8-бап жаңа редакцияда.", "ru": "Статья 8 в новой редакции.",
        "en": "Article 8 as amended."}
ART3_1 = {"kk": "Тараптар байланыс пункттерін тексереді.",
          "ru": "Стороны проверяют пункты связи.",
          "en": "The Parties test their points of contact."}

AGREEMENT: list[dict[str, Any]] = DEPOSITARY_HISTORY[:7]
"""Four signatures and three notifications: in force from 2014-05-31 (Art. 13)."""

PROTOCOL: dict[str, Any] = {
    "kind": "protocol", "protocol": P1, "done_on": "2020-06-01",
    "titles": {"kk": "Келісімге өзгерістер енгізу туралы хаттама",
               "ru": "Протокол о внесении изменений в Соглашение",
               "en": "Protocol amending the Agreement"},
    "amendments": [
        {"article": 8, "action": "replace", "text": ART8},
        {"article": "3", "action": "insert_after", "new_article": "3-1", "text": ART3_1,
         "title": {"kk": "Байланыс пункттері", "ru": "Пункты связи", "en": "Points of contact"}},
        {"article": "10", "action": "repeal"}],
    "proposal": "ws-proposal-17",
    "document": "No. 42",
}

PROTOCOL_INSTRUMENTS: list[dict[str, Any]] = [
    *({"kind": "signature", "party": p, "date": "2020-06-01", "treaty": P1}
      for p in ("KAZ", "RUS", "BLR")),
    {"kind": "notification", "party": "KAZ", "received": "2020-09-01", "treaty": P1},
    {"kind": "notification", "party": "RUS", "received": "2020-10-01", "treaty": P1},
    {"kind": "notification", "party": "BLR", "received": "2021-01-11", "treaty": P1},
    {"kind": "withdrawal_notice", "party": "RUS", "received": "2022-01-10",
     "withdrawal_date": "2022-07-10"},
]

HISTORY = [*AGREEMENT, PROTOCOL, *PROTOCOL_INSTRUMENTS]
